// Text for the page's values: fixed decimals so digits do not jump, units always shown.
import type { LoopHealth, Snapshot } from '../protocol.js';

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
