// Review of issue 8 (ec21f1a, PreloadedCalibration): load() records the new probe id before the
// provider has answered. When the read throws (run.ts's refreshCalibration then logs "the last
// verdict stands"), the console keeps the PREVIOUS probe's verdict under the NEW probe's id: a
// probe whose record could not be read is treated as calibrated, with another probe's correction.
// Before the change a throwing lookup threw inside the tick and the loop latched safe.
import { describe, expect, it } from 'vitest';
import { calibrated } from '../src/controller/probe-calibration.js';
import type { ProbeCalibration } from '../src/controller/probe-calibration.js';
import { PreloadedCalibration } from '../src/runtime/calibration-provider.js';
import type { CalibrationProvider } from '../src/runtime/calibration-provider.js';

/** Probe A has a valid record (offset 1.5 C); reading anything else fails. */
class OnlyAReadable implements CalibrationProvider {
  lookup(probeId: string | null): ProbeCalibration {
    if (probeId === 'A') return calibrated('T', 1.5, 1.01);
    throw new Error(`cannot read the record of ${String(probeId)}`);
  }
}

describe('review issue 8: a failed calibration re-read', () => {
  it("never answers another probe's valid verdict for a probe whose record could not be read", () => {
    const calibration = new PreloadedCalibration(new OnlyAReadable(), 'T');
    expect(calibration.load('A').ok).toBe(true);
    // Probe B is fitted: the tick answers "not read yet" and asks for B.
    expect(calibration.inTick('B', false).ok).toBe(false);
    // The read between ticks fails (run.ts catches it and carries on).
    expect(() => {
      calibration.refresh();
    }).toThrow();
    const verdict = calibration.inTick('B', true);
    expect(verdict.ok, `probe B answered with ${JSON.stringify(verdict)}`).toBe(false);
  });

  it('a failed re-read of the same probe (start press) does not leave the old verdict standing as valid', () => {
    let readable = true;
    const provider: CalibrationProvider = {
      lookup: () => {
        if (!readable) throw new Error('record unreadable');
        return calibrated('T', 0, 1);
      },
    };
    const calibration = new PreloadedCalibration(provider, 'T');
    calibration.load('A');
    readable = false;
    calibration.inTick('A', true);
    expect(() => {
      calibration.refresh();
    }).toThrow();
    // Unusable now, so the 2 s retry (reloadIfUnusable) keeps looking; a stale ok never retries.
    expect(calibration.inTick('A', false).ok).toBe(false);
  });
});
