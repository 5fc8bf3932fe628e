// Counters for one front-end link (kept across sessions) and the two detectors that read them:
// sequence gaps and a sliding-window burst of corrupt lines. Fixed-size state only.

import { SEQ_MODULO } from './protocol.js';

export interface SerialFrontendStats {
  /** Sessions that completed the handshake. */
  readonly sessions: number;
  /** Attempts to open the port (the first one included). */
  readonly connectAttempts: number;
  readonly samples: number;
  readonly heartbeats: number;
  /** Lines rejected by the decoder (checksum, fields, range, non-ASCII) or invalid in context. */
  readonly corruptLines: number;
  /** Lines longer than MAX_LINE_BYTES, discarded up to their LF. */
  readonly overlongLines: number;
  /** Valid lines of a type this host does not know; ignored. */
  readonly unknownLines: number;
  /** Lines before the device's HELLO in a session (stale bytes from before it); dropped. */
  readonly preHandshakeLines: number;
  /** Times the sequence number did not follow the previous line's. */
  readonly sequenceGaps: number;
  /** Lines lost in those gaps (modulo 65536). */
  readonly missedLines: number;
  /** The last decoder or validation complaint, for diagnostics. */
  readonly lastCorruption: string | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class LinkStats {
  readonly counts: Mutable<SerialFrontendStats> = {
    sessions: 0, connectAttempts: 0, samples: 0, heartbeats: 0, corruptLines: 0, overlongLines: 0,
    unknownLines: 0, preHandshakeLines: 0, sequenceGaps: 0, missedLines: 0, lastCorruption: null,
  };
  /** Receipt times of the most recent corrupt lines, a ring of `burstCount` entries. */
  readonly #corruptAtMs: Float64Array;
  #corruptNext = 0;
  readonly #burstWindowMs: number;
  #lastSeq: number | null = null;

  constructor(burstCount: number, burstWindowMs: number) {
    this.#corruptAtMs = new Float64Array(burstCount).fill(Number.NEGATIVE_INFINITY);
    this.#burstWindowMs = burstWindowMs;
  }

  /** A new session: the device restarts its sequence and old corruption no longer counts. */
  newSession(): void {
    this.#lastSeq = null;
    this.#corruptAtMs.fill(Number.NEGATIVE_INFINITY);
    this.#corruptNext = 0;
  }

  /** Record a corrupt line; true when it completes a burst (the oldest of the ring is in the window). */
  corrupt(atMs: number, detail: string): boolean {
    this.counts.corruptLines++;
    this.counts.lastCorruption = detail;
    this.#corruptAtMs[this.#corruptNext] = atMs;
    this.#corruptNext = (this.#corruptNext + 1) % this.#corruptAtMs.length;
    const oldestMs = this.#corruptAtMs[this.#corruptNext] ?? Number.NEGATIVE_INFINITY;
    return atMs - oldestMs <= this.#burstWindowMs;
  }

  /** Track the sequence number of a valid line; counts a gap when it does not follow the last. */
  sequence(seq: number): void {
    if (this.#lastSeq !== null) {
      const expected = (this.#lastSeq + 1) % SEQ_MODULO;
      if (seq !== expected) {
        this.counts.sequenceGaps++;
        this.counts.missedLines += (seq - expected + SEQ_MODULO) % SEQ_MODULO;
      }
    }
    this.#lastSeq = seq;
  }

  snapshot(): SerialFrontendStats {
    return { ...this.counts };
  }
}
