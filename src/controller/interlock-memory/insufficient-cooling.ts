// INSUFFICIENT_COOLING's memory: when the tip first went below cooling.targetC in this freeze;
// null before that and outside an open freeze (so each freeze starts without it).
import type { RowMemory } from './row-memory.js';
import { freezeOpenBefore } from './row-memory.js';

export type CoolingReachedAtMs = number | null;

export const coolingMemory: RowMemory<CoolingReachedAtMs> = {
  initial: null,
  update(input, reachedAtMs) {
    if (!freezeOpenBefore(input)) return null;
    if (reachedAtMs !== null || input.tip === null || input.tip.tipC >= input.settings.cooling.targetC) return reachedAtMs;
    return input.nowMs;
  },
};
