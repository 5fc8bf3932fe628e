// A freeze's efficacy verdict (issue 11) as the records keep it per cycle: from the controller's
// freeze-verdict event, live (the loop's records link) or read back from the recorded events (a
// treatment recovered as interrupted: the process died after judging a freeze, before its end).
import type { FreezeVerdict } from '../controller/ice-ball.js';
import { CycleVerdictSchema } from './validate.js';
import type { CycleRow, CycleVerdict, EventRow } from './types.js';

/** The event kind the controller judges a freeze with (src/controller/types.ts). */
export const FREEZE_VERDICT_EVENT_KIND = 'freeze-verdict';

export function cycleVerdictOf(v: FreezeVerdict): CycleVerdict {
  return { r20MmAtEnd: v.r20MmAtEnd, targetMm: v.targetMm, effective: v.effective };
}

/** The verdicts the recorded freeze-verdict events carry, by cycle (the last one of a cycle wins,
 * as live). An event whose detail is not a valid verdict is skipped: a recovered record keeps what
 * it can vouch for, and the event itself stays in the record as written. */
export function verdictsFromEvents(events: readonly EventRow[]): Map<number, CycleVerdict> {
  const out = new Map<number, CycleVerdict>();
  for (const e of events) {
    if (e.kind !== FREEZE_VERDICT_EVENT_KIND) continue;
    const raw = e.detail.verdict;
    if (typeof raw !== 'object' || raw === null) continue;
    const { cycle, r20MmAtEnd, targetMm, effective } = raw as Record<string, unknown>;
    const parsed = CycleVerdictSchema.safeParse({ r20MmAtEnd, targetMm, effective });
    if (parsed.success && typeof cycle === 'number' && Number.isInteger(cycle)) out.set(cycle, parsed.data);
  }
  return out;
}

/** `cycles` with each one's verdict from `verdicts` (null where there is none). */
export function withVerdicts(cycles: readonly Omit<CycleRow, 'verdict'>[], verdicts: ReadonlyMap<number, CycleVerdict>): CycleRow[] {
  return cycles.map((c) => ({ ...c, verdict: verdicts.get(c.index) ?? null }));
}

/** A cycle's verdict in words, for `cryo records show` and the report: `effective`, `NOT effective`,
 * or `no verdict` (none recorded). */
export function verdictText(v: CycleVerdict | null): string {
  if (v === null) return 'no verdict';
  return v.effective ? 'effective' : 'NOT effective';
}
