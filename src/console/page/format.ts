// Text for the page's values: fixed decimals so digits do not jump, units always shown.
import type { FreezeVerdict, IceBallView, LoopHealth, Snapshot, StartTargets } from '../protocol.js';

export const NO_VALUE = '—';

/** The tip in the large digits; the unit is in the label above them. */
export function formatTipC(tipC: number | null): string {
  return tipC === null ? NO_VALUE : tipC.toFixed(1);
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatCycle(s: Pick<Snapshot, 'cycle' | 'protocol' | 'phase'>): string {
  if (s.phase === 'Freezing' || s.phase === 'Thawing') return `cycle ${s.cycle}/${s.protocol.cycles}`;
  return `${s.protocol.cycles} ${s.protocol.cycles === 1 ? 'cycle' : 'cycles'}`;
}

export function formatTimeLeft(secondsLeft: number | null): string {
  return secondsLeft === null ? '' : `${formatClock(secondsLeft)} left`;
}

export function formatBar(value: number | null, unit: 'bar g' | 'bar a'): string {
  return value === null ? NO_VALUE : `${value.toFixed(1)} ${unit}`;
}

export function formatLoop(loop: LoopHealth): string {
  const m = loop.lastMinute;
  return `loop ${loop.rateHz} Hz · p99 ${m.p99Ms.toFixed(1)} ms · max ${m.maxMs.toFixed(1)} ms · late ${loop.sinceStart.late} · missed ${loop.missed}`;
}

export interface ProtocolText {
  readonly cycles: number;
  readonly freezeS: number;
  readonly thawS: number;
}

export function describeProtocol(p: ProtocolText, preset: string | null): string {
  const body = `${p.cycles} cycle${p.cycles === 1 ? '' : 's'} of ${p.freezeS} s freeze and ${p.thawS} s thaw`;
  return preset === null ? body : `${preset}: ${body}`;
}

/** The r(-20 °C) target a start with these figures and nerve (null: none named) would be judged
 * against, mm, looked up in the snapshot's table (the loop works each out with the controller's
 * resolver); null when the table lacks the nerve. Only the figures choose the row: the loop keeps
 * the run's protocol, its target included, for the run's figures (ControlLoop.setProtocol). */
export function startTargetMm(t: StartTargets, p: ProtocolText, nerveId: string | null): number | null {
  const run = t.runFigures;
  const row = p.cycles === run.cycles && p.freezeS === run.freezeS && p.thawS === run.thawS ? t.runProtocol : t.otherProtocol;
  if (nerveId === null) return row.noNerveMm;
  return Object.hasOwn(row.byNerveMm, nerveId) ? (row.byNerveMm[nerveId] ?? null) : null;
}

/** The confirmation's line for that target: `r(-20 °C) target: 3.5 mm` (the ice-ball block's
 * one decimal), a dash when unknown. */
export function formatStartTarget(mm: number | null): string {
  return `r(-20 °C) target: ${mm === null ? NO_VALUE : `${mm.toFixed(1)} mm`}`;
}

/** A nerve's name for a button: without a trailing parenthesis (the full name is in the
 * confirmation). */
export function shortNerveName(name: string): string {
  return name.replace(/\s*\([^()]*\)\s*$/, '');
}

/** When a treatment started, in the page's local time: `14:05` today, `12-03` (month-day) before. */
export function formatStartedAt(epochMs: number, nowEpochMs: number): string {
  const d = new Date(epochMs);
  const now = new Date(nowEpochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  const today = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return today ? `${two(d.getHours())}:${two(d.getMinutes())}` : `${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

export interface RecentRowText {
  /** `#12 complete -72.3 °C` (`open` while it has no outcome). */
  readonly head: string;
  /** When and where: `14:05 Sural nerve, left`, or `... no target recorded`. */
  readonly target: string;
}

/** One line pair of the recent-treatments list. `names` maps a nerve id to its name (the
 * catalog); an id it lacks is shown as it is. */
export function formatRecentRow(
  t: { readonly id: number; readonly startedAtEpochMs: number; readonly outcome: string | null; readonly minTipC: number | null; readonly target: { readonly nerveId: string; readonly side: string } | null },
  names: ReadonlyMap<string, string>,
  nowEpochMs: number,
): RecentRowText {
  const minTip = t.minTipC === null ? '' : ` ${t.minTipC.toFixed(1)} °C`;
  const where = t.target === null ? 'no target recorded' : `${shortNerveName(names.get(t.target.nerveId) ?? t.target.nerveId)}, ${t.target.side}`;
  return { head: `#${t.id} ${t.outcome ?? 'open'}${minTip}`, target: `${formatStartedAt(t.startedAtEpochMs, nowEpochMs)} ${where}` };
}

/** The ice ball's lethal isotherm with its target, and the other two radii (the tip column is
 * 260 px wide): `r(-20 °C) 2.4 mm` `target 2.0`, `r(0 °C) 4.1 · r(-40 °C) 1.3 mm`. Without a
 * shown estimate, a dash and why. The page labels the block as a model estimate. */
export function formatIceBall(v: IceBallView): { readonly lethal: string; readonly target: string; readonly others: string } {
  const target = v.targetMm === null ? '' : `/ target ${v.targetMm.toFixed(1)}`;
  const e = v.estimate;
  if (e === null) return { lethal: `r(-20 °C) ${NO_VALUE}`, target, others: v.unknown ?? '' };
  return { lethal: `r(-20 °C) ${e.r20Mm.toFixed(1)} mm`, target, others: `r(0 °C) ${e.r0Mm.toFixed(1)} · r(-40 °C) ${e.r40Mm.toFixed(1)} mm` };
}

/** One cell per ended freeze: `#1 effective`, `#2 NOT effective` (r(-20 °C) at each freeze's end
 * is in the event list, the records and the title of the cell, there to two decimals: at one, a
 * freeze ending at 1.96 mm read "2.0 mm, target 2.0 mm" beside NOT effective). */
export function formatVerdict(v: FreezeVerdict): { readonly text: string; readonly title: string } {
  const reach = v.r20MmAtEnd === null ? 'unknown (no estimate)' : `${v.r20MmAtEnd.toFixed(2)} mm`;
  return { text: `#${v.cycle} ${v.effective ? 'effective' : 'NOT effective'}`, title: `freeze ${v.cycle}: r(-20 °C) at its end ${reach}, target ${v.targetMm.toFixed(1)} mm` };
}
