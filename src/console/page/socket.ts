// The page's one socket: reconnects by itself, and says "connection lost" within a second when
// the server is gone or silent. The server publishes every SNAPSHOT_PERIOD_MS (100 ms); silence
// for STALE_AFTER_MS (five periods) means the values on screen are no longer live.
import { SNAPSHOT_PERIOD_MS } from '../constants.js';
import type { ConsoleCommand } from '../protocol.js';
import type { ServerMessage } from '../wire.js';

/** Five missed publishes: well inside issue 9's 1 s, well above a busy tab's jitter. */
export const STALE_AFTER_MS = 5 * SNAPSHOT_PERIOD_MS;
/** How often the page checks for silence. */
const WATCH_PERIOD_MS = SNAPSHOT_PERIOD_MS;
/** A socket silent this long is closed and opened again (a stalled server, a dead link). */
const REOPEN_AFTER_MS = 3_000;
/** Reconnect delay: first try soon, then back off to RECONNECT_MAX_MS. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 2_000;

export interface SocketEvents {
  message(message: ServerMessage): void;
  /** live: messages arrive; lost: none for STALE_AFTER_MS or the socket is closed. */
  link(state: 'live' | 'lost'): void;
}

export class ConsoleSocket {
  private ws: WebSocket | null = null;
  private lastMessageMs = -Infinity;
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
    ws.onmessage = (event: MessageEvent<string>) => {
      this.lastMessageMs = performance.now();
      this.reconnectMs = RECONNECT_MIN_MS;
      this.setLive(true);
      this.events.message(JSON.parse(event.data) as ServerMessage);
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

  private watch(): void {
    const silentMs = performance.now() - this.lastMessageMs;
    if (silentMs > STALE_AFTER_MS) this.setLive(false);
    if (silentMs > REOPEN_AFTER_MS && this.ws !== null && this.ws.readyState === WebSocket.OPEN) {
      this.lastMessageMs = performance.now();
      this.ws.close();
    }
  }

  private setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.events.link(live ? 'live' : 'lost');
  }
}
