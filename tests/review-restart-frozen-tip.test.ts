import { describe, expect, it } from 'vitest';
import { parseSettings } from '../src/controller/settings.js';
import { isWithdrawn, withdrawalStatus } from '../src/controller/withdrawal.js';
import { drive, nominalReadings } from './helpers/readings.js';

describe('review: tip unknown after a restart with a frozen tip', () => {
  it('never calls the unknown-tip wait over on a console restarted with the tip reading -60 C', () => {
    const settings = parseSettings({}, 'test');
    // Restarted (as LOOP_OVERRUN demands) mid-freeze: the tip reads -60 C, then the back-end reports its device lost (HAL_FAULT, armed in every phase).
    const d = drive((t) => nominalReadings(t, t < 1_000 ? { tipC: -60 } : { tipC: -60, halFault: 'thermocouple board lost' }), { settings, durationMs: 1_200 });
    const w = withdrawalStatus(d.state, settings, d.lastMs);
    expect(w.kind).toBe('tip-unknown');
    expect(isWithdrawn(d.state, settings, d.lastMs)).toBe(false);
  });
});
