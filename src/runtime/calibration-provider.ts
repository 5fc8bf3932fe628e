// Finds the attached probe's calibration record and judges it. File I/O and the calendar date
// live here, at the boundary, never in the step. Looked up when the probe id changes and again
// at every start press, so expiry is checked per treatment and a fresh calibration is seen
// without a restart.
import { ProbeIdError, quoteProbeId } from '../../calibration/errors.js';
import { calibrationStatus } from '../../calibration/status.js';
import { loadCalibration } from '../../calibration/store.js';
import type { ThermocoupleType } from '../../calibration/types.js';
import { calibrated, uncalibrated } from '../controller/probe-calibration.js';
import type { ProbeCalibration } from '../controller/probe-calibration.js';

export interface CalibrationProvider {
  /** The calibration for `probeId`; `recheck` forces a fresh look at the record. */
  lookup(probeId: string | null, recheck: boolean): ProbeCalibration;
}

export class StoreCalibrationProvider implements CalibrationProvider {
  #cachedId: string | null | undefined = undefined;
  #cached: ProbeCalibration | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly boardType: ThermocoupleType,
    private readonly now: () => Date,
  ) {}

  lookup(probeId: string | null, recheck: boolean): ProbeCalibration {
    if (!recheck && this.#cached !== null && this.#cachedId === probeId) return this.#cached;
    this.#cachedId = probeId;
    this.#cached = this.#judge(probeId);
    return this.#cached;
  }

  #judge(probeId: string | null): ProbeCalibration {
    if (probeId === null) return uncalibrated(this.boardType, 'the probe has no id: its calibration cannot be found');
    let loaded;
    try {
      loaded = loadCalibration(this.dataDir, probeId);
    } catch (err) {
      // An id that cannot name a record file (ProbeIdError) names itself; anything else is unexpected here.
      if (err instanceof ProbeIdError) return uncalibrated(this.boardType, err.message);
      return uncalibrated(this.boardType, `probe ${quoteProbeId(probeId)}: ${(err as Error).message}`);
    }
    const status = calibrationStatus(loaded, this.now(), this.boardType);
    if (!status.ok || loaded.kind !== 'loaded') return uncalibrated(this.boardType, status.ok ? `probe '${probeId}': no record` : status.message);
    return calibrated(this.boardType, loaded.record.fit.offsetC, loaded.record.fit.gain);
  }
}

/** A provider with one fixed answer (simulation in virtual time, tests). */
export class FixedCalibrationProvider implements CalibrationProvider {
  constructor(private readonly calibration: ProbeCalibration) {}
  lookup(): ProbeCalibration {
    return this.calibration;
  }
}

/** Looks a probe that reports no id up by the board's fitted probe id (probes without an ID chip). */
export function withFittedProbeId(provider: CalibrationProvider, fittedProbeId: string | null): CalibrationProvider {
  return { lookup: (probeId, recheck) => provider.lookup(probeId ?? fittedProbeId, recheck) };
}
