// INEFFECTIVE_FREEZE's memory: the ineffective verdict the operator has acknowledged (the
// advisory then clears), or null. Compared by identity: a verdict is created once, when its
// freeze ends (src/controller/ice-ball-estimate.ts), and carried unchanged after. Only a raised
// advisory is acknowledged: the verdict exists from the supply's closing, but the advisory is
// raised only when the thaw begins, after the verify tail (review of issue 11, L1). An acknowledge
// in that tail (for another alarm, or early) must not dismiss an alarm the operator never saw.
import type { FreezeVerdict } from '../ice-ball.js';
import type { ControllerState } from '../state.js';
import type { RowMemory } from './row-memory.js';

/** The newest verdict of the treatment when it is ineffective; null otherwise. */
export function lastIneffective(state: ControllerState): FreezeVerdict | null {
  // Asked every tick, mostly of an empty list: index -1 of an empty array is no element but a
  // property lookup by the name "-1", V8's slow path (about 2 % of a simulated tick).
  const count = state.freezeVerdicts.length;
  if (count === 0) return null;
  const last = state.freezeVerdicts[count - 1];
  return last === undefined || last.effective ? null : last;
}

export const ineffectiveAckMemory: RowMemory<FreezeVerdict | null> = {
  initial: null,
  update({ readings, prev }, acknowledged) {
    const pressed = readings.operator.acknowledge && !prev.inputs.acknowledge;
    if (!pressed || !prev.interlocks.INEFFECTIVE_FREEZE.tripped) return acknowledged;
    return lastIneffective(prev) ?? acknowledged;
  },
};
