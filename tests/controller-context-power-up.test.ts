// What the console knows at power-up (src/controller/state.ts initialState) and how each tip
// reading passes through a probe's calibration (src/controller/probe-calibration.ts): a button
// held through boot is seen as a press, nothing pressed logs nothing, and an offset-only or a
// gain-only calibration still corrects the reading the interlocks judge.
import { describe, expect, it } from 'vitest';
import { calibrated, calibrateReadings } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import { nominalReadings } from './helpers/readings.js';

describe('power-up', () => {
  it('logs nothing on the first step with nothing pressed: no input, no change of the withdrawal verdict', () => {
    const result = step(0, DEFAULT_SETTINGS, nominalReadings(0), initialState(0));
    expect(result.events).toEqual([]);
    expect(result.state.phase).toBe('Idle');
    expect(result.state.safeToWithdraw).toBe(false);
  });

  it('sees every button held through boot as pressed on the first step', () => {
    const held = nominalReadings(0, { operator: { stop: true, acknowledge: true, newSite: true, footswitch: true, estop: true } });
    const result = step(0, DEFAULT_SETTINGS, held, initialState(0));
    const inputs = result.events.flatMap((e) => (e.kind === 'input' ? [e.input] : []));
    expect(inputs).toEqual(['stop', 'acknowledge', 'new-site', 'footswitch-down', 'estop-pressed']);
    expect(result.events).toContainEqual(expect.objectContaining({ kind: 'trip', id: 'EMERGENCY_STOP' }));
    expect(result.outputs.supplyValveOpen || result.outputs.safetyValveOpen).toBe(false);
  });

  it('starts a treatment when start is held through boot', () => {
    const result = step(0, DEFAULT_SETTINGS, nominalReadings(0, { operator: { start: true } }), initialState(0));
    expect(result.state.phase).toBe('SelfTest');
  });
});

describe('the calibration of each tip reading', () => {
  const raw = { ...nominalReadings(0), tips: [{ tipC: -60, coldJunctionC: 25, fault: null, atMs: 0 }] };

  it('applies an offset-only calibration (gain exactly 1)', () => {
    expect(calibrateReadings(raw, calibrated('T', -1.5, 1)).tips[0]?.tipC).toBe(-61.5);
  });

  it('applies a gain-only calibration (offset exactly 0)', () => {
    expect(calibrateReadings(raw, calibrated('T', 0, 1.25)).tips[0]?.tipC).toBe(-75);
  });

  it('leaves the reading as read under the identity calibration', () => {
    const out = calibrateReadings(raw, calibrated('K', 0, 1));
    expect(out.tips[0]?.tipC).toBe(-60);
    expect(out.calibration.thermocoupleType).toBe('K');
  });
});
