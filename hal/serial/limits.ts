// Host-side timing and error limits of the front-end link (docs/serial-protocol.md, "Timing" and
// "Error handling"). Every limit is named and checked; none is open-ended.

/** The device answers HELLO within 100 ms once running; 2 s also covers boards that reset on open. */
export const HANDSHAKE_TIMEOUT_MS = 2_000;
/** No line at all (sample or heartbeat) for this long: the link is dead. 5 heartbeat periods. */
export const LINK_SILENCE_MS = 500;
/** This many corrupt lines within CORRUPT_BURST_WINDOW_MS make the data unusable: HAL fault. */
export const CORRUPT_BURST_COUNT = 5;
/** 5 in 1 s is 5 % of the 100 lines/s a two-channel device sends: far above a healthy link's rate. */
export const CORRUPT_BURST_WINDOW_MS = 1_000;
/** Reconnect backoff: first retry after this, doubling per failed attempt up to the maximum. */
export const RECONNECT_INITIAL_MS = 250;
export const RECONNECT_MAX_MS = 8_000;
export const RECONNECT_FACTOR = 2;

export interface FrontendLimits {
  readonly handshakeTimeoutMs: number;
  readonly linkSilenceMs: number;
  readonly corruptBurstCount: number;
  readonly corruptBurstWindowMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
}

export const DEFAULT_FRONTEND_LIMITS: FrontendLimits = Object.freeze({
  handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  linkSilenceMs: LINK_SILENCE_MS,
  corruptBurstCount: CORRUPT_BURST_COUNT,
  corruptBurstWindowMs: CORRUPT_BURST_WINDOW_MS,
  reconnectInitialMs: RECONNECT_INITIAL_MS,
  reconnectMaxMs: RECONNECT_MAX_MS,
});

const RANGES: Readonly<Record<keyof FrontendLimits, readonly [number, number]>> = {
  handshakeTimeoutMs: [10, 30_000],
  linkSilenceMs: [20, 10_000],
  corruptBurstCount: [1, 1_000],
  corruptBurstWindowMs: [10, 60_000],
  reconnectInitialMs: [1, 60_000],
  reconnectMaxMs: [1, 600_000],
};

/** Merge overrides onto the defaults; throws RangeError naming the field for a bad value. */
export function resolveFrontendLimits(overrides: Partial<FrontendLimits> = {}): FrontendLimits {
  const limits = { ...DEFAULT_FRONTEND_LIMITS, ...overrides };
  for (const [key, [min, max]] of Object.entries(RANGES) as [keyof FrontendLimits, readonly [number, number]][]) {
    const value = limits[key];
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
      throw new RangeError(`serial front-end limits: ${key} = ${value} (an integer in ${min}..${max} expected)`);
    }
  }
  if (limits.reconnectMaxMs < limits.reconnectInitialMs) {
    throw new RangeError(`serial front-end limits: reconnectMaxMs ${limits.reconnectMaxMs} is below reconnectInitialMs ${limits.reconnectInitialMs}`);
  }
  return limits;
}
