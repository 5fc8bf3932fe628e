// Finds the attached probe's calibration record and judges it. File I/O and the calendar date
// live here, at the boundary, never in the step nor in the control loop's tick: a provider
// (StoreCalibrationProvider) reads and judges a record; PreloadedCalibration keeps the verdict in
// memory for the tick and reads again, outside the tick, when a start or acknowledge press or a new
// probe id asks for it (refresh), so expiry is checked per treatment and a fresh calibration is
// seen without a restart.
import { ProbeIdError, quoteProbeId } from '../../calibration/errors.js';
import { calibrationStatus } from '../../calibration/status.js';
import { recordFingerprint } from '../../calibration/record.js';
import { loadCalibration } from '../../calibration/store.js';
import type { ThermocoupleType } from '../../calibration/types.js';
import { calibrated, uncalibrated } from '../controller/probe-calibration.js';
import type { ProbeCalibration } from '../controller/probe-calibration.js';

/** An unusable calibration record is read again this often, outside the ticks (`cryo run`; the
 * fuzzer in virtual time): a probe calibrated while the console waits in Fault is then seen before
 * the operator's acknowledge. */
export const CALIBRATION_RETRY_MS = 2_000;

export interface CalibrationProvider {
  /** The calibration for `probeId`; `recheck` forces a fresh look at the record. May read a file:
   * never call it inside a tick (the loop takes a TickCalibration). */
  lookup(probeId: string | null, recheck: boolean): ProbeCalibration;
  /** The record the last lookup read and judged usable (the treatment records name it), from
   * memory; null when none. */
  readonly lastRecord?: () => CalibrationRecordIdentity | null;
}

/** Names the exact calibration record a treatment used: the probe it calibrates, when, and the
 * fingerprint (sha256 of its canonical JSON) its certificate prints. */
export interface CalibrationRecordIdentity {
  readonly probeId: string;
  readonly calibrationId: string;
  readonly fingerprintSha256: string;
}

/** What the control loop asks in its tick: answered from memory, never from a file. */
export interface TickCalibration {
  /**
   * The verdict for `probeId` as last read. `recheck` (a start or acknowledge press) asks for the
   * record to be read again outside the tick; a probe id other than the one read asks too, and is
   * answered "not read yet" (uncalibrated: start blocked) until it has been. The control loop
   * does not ask in a freeze or its thaw (VERDICT_HELD_PHASES in src/runtime/loop.ts): it holds
   * the verdict the treatment started with.
   */
  inTick(probeId: string | null, recheck: boolean): ProbeCalibration;
}

export class StoreCalibrationProvider implements CalibrationProvider {
  #cachedId: string | null | undefined = undefined;
  #cached: ProbeCalibration | null = null;
  #record: CalibrationRecordIdentity | null = null;

  readonly lastRecord = (): CalibrationRecordIdentity | null => this.#record;

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
    this.#record = null;
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
    const r = loaded.record;
    this.#record = { probeId: r.probeId, calibrationId: `${r.probeId}@${r.calibratedAt}`, fingerprintSha256: recordFingerprint(r) };
    return calibrated(this.boardType, r.fit.offsetC, r.fit.gain, r.probeOdMm ?? null);
  }
}

/** A provider with one fixed answer (simulation in virtual time, tests): nothing to read. */
export class FixedCalibrationProvider implements CalibrationProvider, TickCalibration {
  constructor(private readonly calibration: ProbeCalibration) {}
  lookup(): ProbeCalibration {
    return this.calibration;
  }
  inTick(): ProbeCalibration {
    return this.calibration;
  }
}

/**
 * A provider's verdict held in memory for the tick. `load`, `refresh` and `reloadIfUnusable` read
 * (through the provider) outside the tick; `inTick` only notes what to read next. A press is
 * judged on the verdict read before it; the record is read again right after that tick, and the
 * next tick uses it. CALIBRATION_INVALID is armed only from the self-test on, which a start press
 * enters in that tick, so the fresh verdict acts in the same tick as before. An unusable record is
 * also read again every few seconds (reloadIfUnusable, from the console), so a probe calibrated
 * while the console waits in Fault is seen before the acknowledge that should clear the trip.
 */
export class PreloadedCalibration implements TickCalibration {
  #probeId: string | null = null;
  #verdict: ProbeCalibration;
  #wanted: { readonly probeId: string | null } | null = null;

  /**
   * `fittedProbeId`: the board's fitted probe id, which a probe that reports no id is looked up by
   * (withFittedProbeId, around `provider`): ids are compared as they are looked up, so a chip that
   * answers no id and then the fitted id itself (or the other way round) is the same record, not a
   * probe whose record has not been read yet (for a tick: in the self-test that tripped
   * CALIBRATION_INVALID).
   */
  constructor(
    private readonly provider: CalibrationProvider,
    private readonly boardType: ThermocoupleType,
    private readonly fittedProbeId: string | null = null,
  ) {
    this.#verdict = uncalibrated(boardType, 'the probe calibration has not been read yet');
  }

  /** Read and judge `probeId`'s record now (outside the tick); the verdict. */
  load(probeId: string | null): ProbeCalibration {
    this.#wanted = null;
    this.#probeId = probeId;
    // Unusable until the read answers: a read that throws must not leave the last verdict standing.
    this.#verdict = uncalibrated(this.boardType, 'the probe calibration record could not be read');
    this.#verdict = this.provider.lookup(probeId, true);
    return this.#verdict;
  }

  /** A read asked for by a tick is waiting. */
  get refreshWanted(): boolean {
    return this.#wanted !== null;
  }

  /** Do the read a tick asked for, if any (outside the tick). */
  refresh(): void {
    if (this.#wanted !== null) this.load(this.#wanted.probeId);
  }

  /** Read the record again when the verdict is unusable (outside the tick); false when it was
   * usable. The id a tick asked about, when one did, even when it is none (a probe that reports no
   * id, looked up by the board's fitted id): not the id read before it. */
  reloadIfUnusable(): boolean {
    if (this.#verdict.ok) return false;
    this.load(this.#wanted === null ? this.#probeId : this.#wanted.probeId);
    return true;
  }

  /** The record behind the current verdict, from memory (null when unusable or unknown). */
  record(): CalibrationRecordIdentity | null {
    return this.#verdict.ok ? (this.provider.lastRecord?.() ?? null) : null;
  }

  inTick(probeId: string | null, recheck: boolean): ProbeCalibration {
    const known = (probeId ?? this.fittedProbeId) === (this.#probeId ?? this.fittedProbeId);
    if (recheck || !known) this.#wanted = { probeId };
    if (known) return this.#verdict;
    return uncalibrated(this.boardType, `probe ${probeId === null ? '(no id)' : quoteProbeId(probeId)}: its calibration record has not been read yet`);
  }
}

/** Looks a probe that reports no id up by the board's fitted probe id (probes without an ID chip). */
export function withFittedProbeId(provider: CalibrationProvider, fittedProbeId: string | null): CalibrationProvider {
  const lastRecord = provider.lastRecord;
  return { lookup: (probeId, recheck) => provider.lookup(probeId ?? fittedProbeId, recheck), ...(lastRecord === undefined ? {} : { lastRecord }) };
}
