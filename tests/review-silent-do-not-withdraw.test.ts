import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { withdrawalStatus } from '../src/controller/withdrawal.js';
import { NormalPatient, drive, inPhase, normalUntil } from './helpers/readings.js';

describe('review: a thermocouple that opens after a stop', () => {
  it('shows the tip as unknown with a countdown, not DO NOT WITHDRAW for ever', () => {
    const settings = DEFAULT_SETTINGS;
    const patient = new NormalPatient();
    const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
    const stopMs = at.lastMs + 20;
    // Stop mid-freeze; 2 s later the thermocouple opens and stays open (THERMOCOUPLE_FAULT is not armed in Stopped).
    const d = drive(
      patient.script((now) => ({ operator: { stop: now === stopMs }, ...(now > stopMs + 2_000 ? { fault: 'open' as const } : {}) })),
      { settings, state: at.state, durationMs: 600_000 },
    );
    expect(d.state.phase).toBe('Stopped');
    expect(withdrawalStatus(d.state, settings, d.lastMs).kind).toBe('tip-unknown');
  });
});
