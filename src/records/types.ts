// The treatment record's shapes (issue 10), shared by the store (store.ts, in the records
// worker), the loop's side that feeds it (link.ts), the command line (`cryo records ...`) and the
// exports (CSV, JSON, FHIR, the HTML report). Times: `startedAtEpochMs`/`endedAtEpochMs` are wall
// clock (what a clinic audits); every sample and event carries `tMs`, milliseconds since the
// treatment's start on the loop's monotonic clock, so a wall clock step never reorders a record.
import type { Phase } from '../controller/types.js';

export type TreatmentOutcome = 'complete' | 'stopped' | 'fault' | 'interrupted';
export const TREATMENT_OUTCOMES: readonly TreatmentOutcome[] = ['complete', 'stopped', 'fault', 'interrupted'];

export type NerveSide = 'left' | 'right';
export const NERVE_SIDES: readonly NerveSide[] = ['left', 'right'];

/** The target chosen at start: a nerve of the shipped catalog (nerves.ts) and a side. */
export interface TreatmentTarget {
  readonly nerveId: string;
  readonly side: NerveSide;
}

/** The console a treatment ran on. */
export interface ConsoleIdentity {
  /** Made once per data dir and kept (a UUID). */
  readonly consoleId: string;
  readonly softwareVersion: string;
  readonly boardName: string;
  /** SHA-256 (lower-case hex) of the board file's bytes. */
  readonly boardSha256: string;
}

/** The probe and the calibration record the treatment used (null fields: none known). */
export interface ProbeUsed {
  readonly probeId: string | null;
  /** The calibration record's own id (its file's `recordId` or equivalent) and seal. */
  readonly calibrationId: string | null;
  readonly calibrationChecksum: string | null;
}

export interface TreatmentProtocol {
  readonly cycles: number;
  readonly freezeS: number;
  readonly thawS: number;
}

/** What is known when start is accepted. */
export interface TreatmentStart {
  readonly startedAtEpochMs: number;
  readonly console: ConsoleIdentity;
  readonly protocol: TreatmentProtocol;
  /** SHA-256 of the validated settings' canonical JSON. */
  readonly settingsSha256: string;
  readonly probe: ProbeUsed;
  readonly target: TreatmentTarget | null;
  /** Pseudonymous: a clinic's reference, never a name (bounded, validated at the boundary). */
  readonly patientRef: string | null;
  readonly operatorId: string | null;
}

/** One 10 Hz sample. Null: no valid reading at that instant. */
export interface SampleRow {
  readonly tMs: number;
  readonly phase: Phase;
  /** Every tip channel, channel 0 the control channel. */
  readonly tipC: readonly (number | null)[];
  readonly supplyBarGauge: number | null;
  readonly returnBarAbs: number | null;
  readonly supplyValveOpen: boolean;
  readonly safetyValveOpen: boolean;
}

/** One controller event (src/controller/types.ts ControllerEvent) or a records/runtime event,
 * kept whole as JSON; `kind` is its kind for queries (the alarm log: trip, cleared, acknowledge,
 * alarm-reset, audio-pause). */
export interface EventRow {
  readonly tMs: number;
  readonly kind: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A freeze's efficacy verdict as the records keep it (src/controller/ice-ball.ts FreezeVerdict,
 * from the controller's freeze-verdict event): the live ice-ball estimate's r(-20 C) when the
 * supply closed (a model, not a measurement: docs/tissue-model.md), against the target. */
export interface CycleVerdict {
  /** Estimated r(-20 C) from the probe axis at the freeze's end, mm; null when the estimate was
   * not running (the tip reading was not trusted): then not effective. */
  readonly r20MmAtEnd: number | null;
  /** The radius the freeze was judged against, mm. */
  readonly targetMm: number;
  readonly effective: boolean;
}

export interface CycleRow {
  readonly index: number;
  readonly freezeS: number;
  readonly thawS: number;
  readonly minTipC: number | null;
  readonly secondsToMinus50C: number | null;
  readonly belowMinus20S: number;
  readonly belowMinus40S: number;
  /** Null: no verdict (a record from before schema 3, or a freeze whose judgement was not
   * recorded: the process died first). */
  readonly verdict: CycleVerdict | null;
}

/** What is known when the treatment ends. */
export interface TreatmentEnd {
  readonly endedAtEpochMs: number;
  readonly outcome: TreatmentOutcome;
  readonly cycles: readonly CycleRow[];
  /** Supply-open time over the whole treatment (the site's cumulative freeze). */
  readonly frozenMs: number;
  /** Samples the loop's queue dropped (never events). */
  readonly samplesDropped: number;
}

/** A line of `cryo records list`. */
export interface TreatmentSummaryRow {
  readonly id: number;
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number | null;
  readonly outcome: TreatmentOutcome | null;
  readonly target: TreatmentTarget | null;
  readonly probeId: string | null;
  readonly cycles: number;
  readonly minTipC: number | null;
}

/** A whole treatment, as `show`, the exports and the report read it. */
export interface TreatmentRecord {
  readonly id: number;
  readonly start: TreatmentStart;
  /** Null while the treatment is open. */
  readonly end: TreatmentEnd | null;
  readonly cycles: readonly CycleRow[];
  readonly events: readonly EventRow[];
  readonly samples: readonly SampleRow[];
  /** The closing hash of the treatment (null while open). */
  readonly sealSha256: string | null;
  /** The records schema the treatment was begun at (treatments.schema_version, hashed in its
   * start: chain.ts TREATMENT_SCHEMA_VERSION_COLUMN). Null: none recorded, the treatment was begun
   * before migration 4 (migrations.ts TREATMENT_VERSION_SCHEMA_VERSION) added the column. */
  readonly schemaVersion: number | null;
}

/** The result of checking the hash chain over every treatment. */
export type VerifyResult =
  | { readonly ok: true; readonly treatments: number; readonly rows: number }
  | { readonly ok: false; readonly treatmentId: number; readonly table: 'treatments' | 'samples' | 'events' | 'cycles' | 'phases'; readonly rowId: number; readonly reason: string };

/** `cryo records verify`'s answer: the chain's result and the schema the file is at (an older
 * one is checked as it is, read-only: store.ts verifyRecordsFile). */
export interface VerifiedRecords {
  readonly schemaVersion: number;
  readonly result: VerifyResult;
}

/** An open treatment found at start and closed as `interrupted` at its last sample. */
export interface InterruptedTreatment {
  readonly id: number;
  readonly lastTMs: number;
  /** Supply-open time the interrupted treatment had reached, from its samples. */
  readonly frozenMs: number;
}

/** What the records worker writes through (store.ts implements it). Every method throws a
 * RecordsError (store.ts) naming what failed; the worker turns that into RECORDS_UNAVAILABLE. */
export interface RecordsWriter {
  /** Closes every open treatment as `interrupted` at its last sample (call once at start). */
  recoverInterrupted(nowEpochMs: number): InterruptedTreatment[];
  /** Opens a treatment; returns its id. */
  begin(start: TreatmentStart): number;
  /** Appends samples and events in one transaction. */
  append(treatmentId: number, samples: readonly SampleRow[], events: readonly EventRow[]): void;
  /** Writes the cycles and the outcome and seals the treatment's hash. */
  end(treatmentId: number, end: TreatmentEnd): void;
  close(): void;
}

/** What the command line and the exports read through. */
export interface RecordsReader {
  list(limit?: number): TreatmentSummaryRow[];
  get(id: number): TreatmentRecord | null;
  verify(): VerifyResult;
  close(): void;
}
