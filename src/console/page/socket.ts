// The page's one socket: reconnects by itself, and says "connection lost" within a second when
// the server is gone or silent. The server publishes every SNAPSHOT_PERIOD_MS (100 ms); no new
// snapshot for STALE_AFTER_MS (five periods) means the values on screen are no longer live.
//
// Only a new snapshot proves the loop is live: a `changes`, or a `full` the server received less
// than STALE_AFTER_MS ago, whose seq is above the last one this page saw from the same server
// life (a `full` names its server; a restarted server is a new life). The access, a reply to a
// press, or the old snapshot a server greets a reconnecting page with prove only that the worker
// answers, not that the control loop behind it still publishes.
import { SNAPSHOT_PERIOD_MS, STALE_AFTER_MS } from '../constants.js';
import type { ConsoleCommand } from '../protocol.js';
import type { ServerMessage } from '../wire.js';

export { STALE_AFTER_MS } from '../constants.js';
/** How often the page checks for silence. */
const WATCH_PERIOD_MS = SNAPSHOT_PERIOD_MS;
/** A socket silent this long is closed and opened again (a stalled server, a dead link). */
const REOPEN_AFTER_MS = 3_000;
/** Reconnect delay: first try soon, then back off to RECONNECT_MAX_MS. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 2_000;

export interface SocketEvents {
  message(message: ServerMessage): void;
  /** live: new snapshots arrive; lost: none for STALE_AFTER_MS or the socket is closed. */
  link(state: 'live' | 'lost'): void;
}

export class ConsoleSocket {
  private ws: WebSocket | null = null;
  /** When the last new snapshot arrived (or the socket was last reopened for silence). */
  private lastSnapshotMs = -Infinity;
  /** The newest snapshot this page has seen: its server's life (null: none named yet) and seq. */
  private seen: { server: string | null; seq: number } = { server: null, seq: -Infinity };
  private live = false;
  private reconnectMs = RECONNECT_MIN_MS;

  constructor(
    private readonly url: string,
    private readonly events: SocketEvents,
  ) {
    setInterval(() => {
      this.watch();
    }, WATCH_PERIOD_MS);
    this.open();
  }

  send(command: ConsoleCommand): boolean {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN || !this.live) return false;
    this.ws.send(JSON.stringify(command));
    return true;
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onmessage = (event: MessageEvent) => {
      const message = JSON.parse(event.data as string) as ServerMessage;
      this.reconnectMs = RECONNECT_MIN_MS;
      if (this.isNewSnapshot(message)) {
        this.lastSnapshotMs = performance.now();
        this.setLive(true);
      }
      this.events.message(message);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setLive(false);
      setTimeout(() => {
        this.open();
      }, this.reconnectMs);
      this.reconnectMs = Math.min(RECONNECT_MAX_MS, this.reconnectMs * 2);
    };
  }

  /** Whether `message` carries a snapshot newer than any this page has seen (and records it). */
  private isNewSnapshot(message: ServerMessage): boolean {
    if (message.kind === 'full') {
      const sameLife = message.server === this.seen.server;
      const newer = !sameLife || message.snapshot.seq > this.seen.seq;
      this.seen = { server: message.server, seq: sameLife ? Math.max(this.seen.seq, message.snapshot.seq) : message.snapshot.seq };
      return newer && message.ageMs <= STALE_AFTER_MS;
    }
    if (message.kind === 'changes') {
      // Within one connection, after its `full`: the same server life.
      const seq = message.changes.seq;
      if (seq === undefined || seq <= this.seen.seq) return false;
      this.seen = { server: this.seen.server, seq };
      return true;
    }
    return false;
  }

  private watch(): void {
    const silentMs = performance.now() - this.lastSnapshotMs;
    if (silentMs > STALE_AFTER_MS) this.setLive(false);
    if (silentMs > REOPEN_AFTER_MS && this.ws !== null && this.ws.readyState === WebSocket.OPEN) {
      this.lastSnapshotMs = performance.now();
      this.ws.close();
    }
  }

  private setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.events.link(live ? 'live' : 'lost');
  }
}
