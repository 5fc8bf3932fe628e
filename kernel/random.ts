// Seeded randomness: every simulation replays exactly from its seed (no Math.random anywhere).

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, sd 1). */
  gaussian(): number;
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; deterministic for a seed. */
export function seededRandom(seed: number): Random {
  // The generator's word and the spare normal deviate live in typed arrays: a closure variable
  // holding a 32-bit unsigned value or a double is boxed afresh on every store (a heap number per
  // draw), a typed-array element is stored in place.
  const word = new Uint32Array([seed >>> 0]);
  const spareValue = new Float64Array(1);
  let hasSpare = false;
  const next = (): number => {
    const a = ((word[0] ?? 0) + 0x6d2b79f5) >>> 0;
    word[0] = a;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gaussian = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spareValue[0] ?? 0;
    }
    // Box-Muller; 1 - next() is in (0, 1], so the log is finite.
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spareValue[0] = r * Math.sin(2 * Math.PI * v);
    hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, gaussian };
}
