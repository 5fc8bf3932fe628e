// Rate limit: a token bucket per client address. A page sends a command when the operator presses
// a button (a few a second at most); a client that floods the socket is refused, not queued.
// Another machine's bucket belongs to its address, not to the connection: every connection from
// that address shares it, so closing the socket and opening another does not buy a fresh burst.
// A connection from this machine (loopback) has a bucket of its own (src/console/server/index.ts):
// the kiosk shares 127.0.0.1 with every local program, and another's burst must not refuse the
// kiosk's commands; a local flooder is closed (FLOOD_EXCESS_MESSAGES) and holds at most the
// loopback slots. A stop is never refused for the rate (session.ts).

/** Burst an address may send at once: a hurried operator pressing acknowledge and stop together. */
export const RATE_BURST_MESSAGES = 10;
/** Sustained rate, messages per second: far above a hand on a touchscreen (about 5 a second). */
export const RATE_MESSAGES_PER_S = 5;
/** Messages one connection may send beyond its rate (each refused) before it is judged a flood and
 * closed (WebSocket close 1008): a client that keeps sending over its rate is not read and answered
 * frame by frame for ever. They come back at FLOOD_EXCESS_PER_S, so a client a little over its rate
 * now and then is only refused, never closed. */
export const FLOOD_EXCESS_MESSAGES = 50;
/** How fast the allowance of FLOOD_EXCESS_MESSAGES comes back, messages per second. */
export const FLOOD_EXCESS_PER_S = RATE_MESSAGES_PER_S;
/** After a flood from another machine, new connections from its address are refused this long.
 * Not for this machine's own clients (loopback): another local program must not lock the kiosk
 * out; a flooding loopback connection is closed on its own. */
export const FLOOD_COOLDOWN_MS = 30_000;
/** Addresses whose buckets are kept at most. An address's bucket is dropped once it has no
 * connection and has refilled (a fresh bucket is the same), RATE_BURST_MESSAGES /
 * RATE_MESSAGES_PER_S = 2 s after its last message; the live ones are bounded by the client caps
 * (src/console/server/index.ts), so this leaves room for many recently closed ones. */
export const MAX_RATE_ADDRESSES = 256;

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    nowMs: number,
    private readonly burst: number = RATE_BURST_MESSAGES,
    private readonly perS: number = RATE_MESSAGES_PER_S,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one token; false when the client is over its rate. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether the bucket has refilled to its burst (then it is the same as a new one). */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.burst;
  }

  private refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.lastMs = Math.max(this.lastMs, nowMs);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.perS) / 1000);
  }
}

/** The buckets of the addresses seen lately, bounded: see MAX_RATE_ADDRESSES. */
export class AddressRates {
  private readonly entries = new Map<string, { readonly bucket: TokenBucket; connections: number }>();

  constructor(private readonly maxAddresses: number = MAX_RATE_ADDRESSES) {}

  /** Addresses with a bucket now (for tests and logs). */
  get size(): number {
    return this.entries.size;
  }

  /** Whether a connection from `address` would get a bucket: it has one already, or there is
   * room once the idle, refilled buckets are dropped. */
  hasRoomFor(address: string, nowMs: number): boolean {
    if (this.entries.has(address)) return true;
    this.prune(nowMs);
    return this.entries.size < this.maxAddresses;
  }

  /** The bucket shared by `address`'s connections, counting this one; null when the table is full
   * of addresses still limited. Call release() when the connection closes. (This machine's own
   * connections are not in the table: each has a bucket of its own, src/console/server/index.ts.) */
  attach(address: string, nowMs: number): TokenBucket | null {
    let entry = this.entries.get(address);
    if (entry === undefined) {
      if (!this.hasRoomFor(address, nowMs)) return null;
      entry = { bucket: new TokenBucket(nowMs), connections: 0 };
      this.entries.set(address, entry);
    }
    entry.connections++;
    return entry.bucket;
  }

  /** One connection of `address` closed; its bucket stays until it has refilled. */
  release(address: string): void {
    const entry = this.entries.get(address);
    if (entry !== undefined) entry.connections = Math.max(0, entry.connections - 1);
  }

  private prune(nowMs: number): void {
    for (const [address, entry] of this.entries) {
      if (entry.connections === 0 && entry.bucket.isFull(nowMs)) this.entries.delete(address);
    }
  }
}
