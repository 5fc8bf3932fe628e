// The console's live status line: phase, cycle, time left, tip, pressures, alarms. Pure.
import type { Readings } from '../../hal/contract.js';
import type { Settings } from '../controller/settings.js';
import type { ControllerState } from '../controller/state.js';
import { INTERLOCK_IDS } from '../controller/interlocks.js';
import { withdrawalStatus } from '../controller/withdrawal.js';

/** Seconds left in the current freeze or thaw; null outside them. */
export function secondsLeft(nowMs: number, state: ControllerState, settings: Settings): number | null {
  if (state.phase === 'Freezing') return Math.max(0, settings.protocol.freezeS - state.cycleFreezeMs / 1000);
  if (state.phase === 'Thawing') return Math.max(0, settings.protocol.thawS - (nowMs - state.phaseSinceMs) / 1000);
  return null;
}

export function activeAlarmIds(state: ControllerState): string[] {
  return INTERLOCK_IDS.filter((id) => state.interlocks[id].tripped);
}

const num = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? '--' : x.toFixed(digits));

/** SAFE TO WITHDRAW, DO NOT WITHDRAW, or the unknown tip with its wait (never a verdict). */
export function withdrawalText(nowMs: number, state: ControllerState, settings: Settings): string {
  const w = withdrawalStatus(state, settings, nowMs);
  if (w.kind === 'safe') return 'SAFE TO WITHDRAW';
  if (w.kind === 'do-not-withdraw') return 'DO NOT WITHDRAW';
  if (w.waitOver) return 'TIP UNKNOWN: thaw wait over, withdraw gently';
  const leftS = Math.ceil((w.waitUntilMs - nowMs) / 1000);
  return `TIP UNKNOWN: wait ${Math.floor(leftS / 60)}:${String(leftS % 60).padStart(2, '0')} before withdrawing`;
}

export function formatStatus(nowMs: number, state: ControllerState, settings: Settings, readings: Readings | null, estopIn: boolean): string {
  const left = secondsLeft(nowMs, state, settings);
  const cycle = state.cycle > 0 ? ` ${state.cycle}/${settings.protocol.cycles}` : '';
  const tip = readings?.tips[0];
  const tipText = tip === undefined ? '--' : tip.fault !== null ? `FAULT(${tip.fault})` : num(tip.tipC, 1);
  const alarms = activeAlarmIds(state);
  const parts = [
    `${state.phase}${cycle}`,
    left === null ? 'left --' : `left ${left.toFixed(0)} s`,
    `tip ${tipText} C`,
    `supply ${num(readings?.supply.barGauge, 1)} bar gauge`,
    `return ${num(readings?.returnLine?.barAbs, 2)} bar abs`,
    withdrawalText(nowMs, state, settings),
    alarms.length === 0 ? 'no alarms' : `ALARMS: ${alarms.join(',')}`,
  ];
  if (state.audioPause !== null) parts.push(`AUDIO PAUSED ${Math.ceil(Math.max(0, state.audioPause.untilMs - nowMs) / 1000)} s`);
  if (estopIn) parts.push('E-STOP IN');
  return parts.join(' | ');
}

export const KEY_HELP = 's start | x stop | e emergency stop (toggle) | a acknowledge | p audio pause | n new site | f footswitch (toggle) | q quit';
