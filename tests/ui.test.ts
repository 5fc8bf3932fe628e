import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, PRESETS, withProtocol } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { keyAction } from '../src/ui/keys.js';
import { formatStatus, secondsLeft } from '../src/ui/status.js';
import { nominalReadings } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, PRESETS.standard);

describe('the status line', () => {
  it('shows phase, cycle, time left, tip, pressures, withdrawal and alarms', () => {
    const state = { ...initialState(0), phase: 'Freezing' as const, cycle: 2, cycleFreezeMs: 46_000, safeToWithdraw: false };
    const readings = nominalReadings(0, { tipC: -66.34, supplyBarGauge: 55.9, returnBarAbs: 1.82 });
    const line = formatStatus(0, state, SETTINGS, readings, false);
    expect(line).toBe('Freezing 2/3 | left 74 s | tip -66.3 C | supply 55.9 bar gauge | return 1.82 bar abs | DO NOT WITHDRAW | no alarms');
  });

  it('names a thermocouple fault and the tripped interlocks', () => {
    const base = initialState(0);
    const state = {
      ...base,
      phase: 'Fault' as const,
      interlocks: { ...base.interlocks, THERMOCOUPLE_FAULT: { ...base.interlocks.THERMOCOUPLE_FAULT, tripped: true } },
    };
    const line = formatStatus(0, state, SETTINGS, nominalReadings(0, { fault: 'open' }), true);
    expect(line).toContain('tip FAULT(open) C');
    expect(line).toContain('ALARMS: THERMOCOUPLE_FAULT');
    expect(line).toContain('E-STOP IN');
  });

  it('shows the tip as unknown with its wait after a tip-validity trip, never SAFE TO WITHDRAW', () => {
    const state = { ...initialState(0), phase: 'Fault' as const, safeToWithdraw: false, gasLastFlowedMs: 10_000, tipDistrust: { reason: 'SENSOR_STUCK: x', sinceMs: 12_000 } };
    expect(formatStatus(20_000, state, SETTINGS, nominalReadings(20_000), false)).toContain('TIP UNKNOWN: wait 2:50 before withdrawing');
    expect(formatStatus(190_000, state, SETTINGS, nominalReadings(190_000), false)).toContain('TIP UNKNOWN: thaw wait over, withdraw gently');
  });

  it('counts the thaw down from its phase start', () => {
    const state = { ...initialState(0), phase: 'Thawing' as const, cycle: 1, phaseSinceMs: 10_000 };
    expect(secondsLeft(25_000, state, SETTINGS)).toBe(30);
    expect(secondsLeft(25_000, initialState(0), SETTINGS)).toBeNull();
  });
});

describe('console keys', () => {
  it('maps the documented keys and ignores others', () => {
    expect(['s', 'x', 'e', 'a', 'n', 'f', 'q', 'S', '\u0003'].map(keyAction)).toEqual([
      'start', 'stop', 'estop-toggle', 'acknowledge', 'newSite', 'footswitch-toggle', 'quit', 'start', 'quit',
    ]);
    expect(keyAction('z')).toBeNull();
  });
});
