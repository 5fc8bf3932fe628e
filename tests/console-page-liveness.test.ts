// The page's liveness (src/console/page/socket.ts) against issue 9's "never shows stale values as
// live" (found by the adversarial review of issue 9): only a new snapshot proves the control loop
// is live. A reconnect greeted with the access and an old snapshot, a reply to a press, or a
// restarted server that has nothing to publish yet must leave the page CONNECTION LOST.
// The browser's WebSocket is a scripted stand-in; the page's timers run on vitest's fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STALE_AFTER_MS } from '../src/console/constants.js';
import type { ServerMessage } from '../src/console/wire.js';
import { idleSnapshot } from './helpers/fake-console.js';

class FakeWebSocket {
  static readonly OPEN = 1;
  static all: FakeWebSocket[] = [];
  readyState = FakeWebSocket.OPEN;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
    this.onclose?.();
  }
  deliver(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const ACCESS: ServerMessage = { kind: 'access', access: { origin: 'loopback', canCommand: true, canStart: true, canAudioPause: true, reason: null } };
const EMPTY_TREND = { atMs: [], tipC: [] };

function changes(seq: number): ServerMessage {
  return { kind: 'changes', changes: { seq, atMs: seq * 100 }, point: [seq * 100, -60] };
}

function full(server: string, seq: number, ageMs: number): ServerMessage {
  return { kind: 'full', snapshot: idleSnapshot({ seq, atMs: seq * 100 }), trend: EMPTY_TREND, server, ageMs };
}

/** A page's socket and the link states it reported, newest last. */
async function page(): Promise<{ states: string[]; latest: () => FakeWebSocket }> {
  const { ConsoleSocket } = await import('../src/console/page/socket.js');
  const states: string[] = [];
  new ConsoleSocket('ws://127.0.0.1:8080/ws', { message: () => undefined, link: (s) => states.push(s) });
  return { states, latest: () => FakeWebSocket.all.at(-1)! };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.all = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the page is live only while new snapshots arrive', () => {
  it('a reconnect to a server whose loop has gone silent does not show the page LIVE', async () => {
    const { states, latest } = await page();
    const first = latest();
    first.deliver(ACCESS);
    first.deliver(full('A', 1, 0));
    first.deliver(changes(2));
    expect(states.at(-1)).toBe('live');
    // The loop goes silent: connection lost within a second, as the issue asks.
    vi.advanceTimersByTime(STALE_AFTER_MS + 200);
    expect(states.at(-1)).toBe('lost');
    // 3 s of silence: the page opens another socket; the worker (still alive) greets it with
    // its access and the last snapshot, old and already seen.
    vi.advanceTimersByTime(3_300);
    const second = latest();
    expect(second).not.toBe(first);
    second.deliver(ACCESS);
    second.deliver(full('A', 2, 3_800));
    expect(states.at(-1)).toBe('lost');
    // The loop publishes again: live.
    second.deliver(changes(3));
    expect(states.at(-1)).toBe('live');
  });

  it("a server's reply to a press is not a sign that the loop is live", async () => {
    const { states, latest } = await page();
    const ws = latest();
    ws.deliver(changes(2));
    vi.advanceTimersByTime(STALE_AFTER_MS + 200);
    expect(states.at(-1)).toBe('lost');
    ws.deliver({ kind: 'refused', command: 'stop', reason: 'rate limit' });
    ws.deliver({ kind: 'accepted', command: 'acknowledge' });
    ws.deliver(ACCESS);
    expect(states.at(-1)).toBe('lost');
  });

  it('a snapshot the server received longer ago than the limit is drawn but not live, even unseen', async () => {
    const { states, latest } = await page();
    latest().deliver(full('A', 9, STALE_AFTER_MS + 1));
    expect(states).toEqual([]);
    latest().deliver(changes(10));
    expect(states).toEqual(['live']);
  });

  it('a page reconnecting to the same server is live again on a newer, fresh snapshot, not on a repeated one', async () => {
    const { states, latest } = await page();
    latest().deliver(full('A', 5, 0));
    latest().close();
    expect(states).toEqual(['live', 'lost']);
    vi.advanceTimersByTime(300);
    latest().deliver(full('A', 5, 50));
    expect(states.at(-1)).toBe('lost');
    latest().close();
    vi.advanceTimersByTime(600);
    latest().deliver(full('A', 6, 50));
    expect(states.at(-1)).toBe('live');
  });

  it('after a worker restart: lost until the new server publishes, whose seq need not be higher', async () => {
    const { states, latest } = await page();
    latest().deliver(full('A', 40, 0));
    latest().deliver(changes(41));
    latest().close();
    expect(states.at(-1)).toBe('lost');
    // The new server has nothing yet: the page keeps its pre-loss values, not live.
    vi.advanceTimersByTime(300);
    latest().deliver(ACCESS);
    vi.advanceTimersByTime(200);
    expect(states.at(-1)).toBe('lost');
    // Its first publish, a fresh full from another server life (even with a lower seq).
    latest().deliver(full('B', 3, 0));
    expect(states.at(-1)).toBe('live');
    latest().deliver(changes(4));
    vi.advanceTimersByTime(STALE_AFTER_MS - 100);
    expect(states.at(-1)).toBe('live');
  });
});
