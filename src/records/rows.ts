// Between the record's shapes (types.ts) and the tables' columns (migrations.ts), in the column
// orders the hash chain uses (chain.ts). One place, so the writer, the reader and verify agree.
import type { Phase } from '../controller/types.js';
import { RecordsError } from './errors.js';
import type { Stored } from './chain.js';
import { TREATMENT_SCHEMA_VERSION_COLUMN } from './chain.js';
import type { CycleRow, CycleVerdict, EventRow, NerveSide, SampleRow, TreatmentEnd, TreatmentOutcome, TreatmentStart } from './types.js';

/** Phase names to the codes of the phases table, and back (read from the file at open). */
export interface PhaseCodes {
  readonly codeOf: ReadonlyMap<Phase, number>;
  readonly nameOf: ReadonlyMap<number, Phase>;
}

export function startValues(id: number, s: TreatmentStart): Stored[] {
  return [
    id,
    s.startedAtEpochMs,
    s.console.consoleId,
    s.console.softwareVersion,
    s.console.boardName,
    s.console.boardSha256,
    s.protocol.cycles,
    s.protocol.freezeS,
    s.protocol.thawS,
    s.settingsSha256,
    s.probe.probeId,
    s.probe.calibrationId,
    s.probe.calibrationChecksum,
    s.target?.nerveId ?? null,
    s.target?.side ?? null,
    s.patientRef,
    s.operatorId,
  ];
}

export function endValues(e: TreatmentEnd): Stored[] {
  return [e.endedAtEpochMs, e.outcome, e.frozenMs, e.samplesDropped];
}

/** Channel 0 (the control channel, what plots and cycles read) is a REAL column, queryable and
 * 8 bytes; further channels, when the board has them, are a JSON array in `tip_rest_c`, NULL (no
 * bytes) for a one-channel board, which every shipped board file is. The count varies by board
 * (1 to 4 thermocouples), so columns for each would be empty on most rows and fix a maximum. */
export function sampleValues(treatmentId: number, seq: number, s: SampleRow, phases: PhaseCodes): Stored[] {
  const phase = phases.codeOf.get(s.phase);
  if (phase === undefined) throw new RecordsError('invalid', `phase "${s.phase}" has no code in this records file (a migration is missing)`);
  return [
    treatmentId,
    seq,
    s.tMs,
    phase,
    s.tipC[0] ?? null,
    s.tipC.length > 1 ? JSON.stringify(s.tipC.slice(1)) : null,
    s.supplyBarGauge,
    s.returnBarAbs,
    s.supplyValveOpen ? 1 : 0,
    s.safetyValveOpen ? 1 : 0,
  ];
}

export function eventValues(treatmentId: number, seq: number, e: EventRow, detailJson: string): Stored[] {
  return [treatmentId, seq, e.tMs, e.kind, detailJson];
}

/** CYCLE_COLUMNS then CYCLE_VERDICT_COLUMNS (what is stored; chain.ts cycleHashValues says what
 * is hashed). */
export function cycleValues(treatmentId: number, c: CycleRow): Stored[] {
  const v = c.verdict;
  return [
    treatmentId,
    c.index,
    c.freezeS,
    c.thawS,
    c.minTipC,
    c.secondsToMinus50C,
    c.belowMinus20S,
    c.belowMinus40S,
    v?.r20MmAtEnd ?? null,
    v?.targetMm ?? null,
    v === null ? null : v.effective ? 1 : 0,
  ];
}

// Reading back. better-sqlite3 hands REAL and INTEGER columns over as numbers (no safeIntegers),
// TEXT as strings, NULL as null; the STRICT tables guarantee each column's type.
type Row = Record<string, unknown>;
const num = (r: Row, k: string): number => r[k] as number;
const numOrNull = (r: Row, k: string): number | null => r[k] as number | null;
const str = (r: Row, k: string): string => r[k] as string;
const strOrNull = (r: Row, k: string): string | null => r[k] as string | null;

export function startOf(r: Row): TreatmentStart {
  const nerveId = strOrNull(r, 'target_nerve_id');
  return {
    startedAtEpochMs: num(r, 'started_at_epoch_ms'),
    console: {
      consoleId: str(r, 'console_id'),
      softwareVersion: str(r, 'software_version'),
      boardName: str(r, 'board_name'),
      boardSha256: str(r, 'board_sha256'),
    },
    protocol: { cycles: num(r, 'protocol_cycles'), freezeS: num(r, 'protocol_freeze_s'), thawS: num(r, 'protocol_thaw_s') },
    settingsSha256: str(r, 'settings_sha256'),
    probe: { probeId: strOrNull(r, 'probe_id'), calibrationId: strOrNull(r, 'calibration_id'), calibrationChecksum: strOrNull(r, 'calibration_checksum') },
    target: nerveId === null ? null : { nerveId, side: str(r, 'target_side') as NerveSide },
    patientRef: strOrNull(r, 'patient_ref'),
    operatorId: strOrNull(r, 'operator_id'),
  };
}

/** The treatment row's recorded schema version (TREATMENT_SCHEMA_VERSION_COLUMN): null for a
 * treatment begun before migration 4. The row must come from a file at schema 4 or later: a row
 * without the column is refused, never read as "not recorded". */
export function recordedSchemaVersionOf(r: Row): number | null {
  if (!(TREATMENT_SCHEMA_VERSION_COLUMN in r)) {
    throw new RecordsError('corrupt', `treatments row ${String(r.id)}: no ${TREATMENT_SCHEMA_VERSION_COLUMN} column (a file before schema 4 is read only by verify)`);
  }
  return numOrNull(r, TREATMENT_SCHEMA_VERSION_COLUMN);
}

export function cycleOf(r: Row): CycleRow {
  return {
    index: num(r, 'idx'),
    freezeS: num(r, 'freeze_s'),
    thawS: num(r, 'thaw_s'),
    minTipC: numOrNull(r, 'min_tip_c'),
    secondsToMinus50C: numOrNull(r, 'seconds_to_minus50_c'),
    belowMinus20S: num(r, 'below_minus20_s'),
    belowMinus40S: num(r, 'below_minus40_s'),
    verdict: verdictOf(r),
  };
}

function verdictOf(r: Row): CycleVerdict | null {
  const effective = numOrNull(r, 'effective');
  if (effective === null) return null;
  return { r20MmAtEnd: numOrNull(r, 'r20_mm_at_end'), targetMm: num(r, 'r20_target_mm'), effective: effective === 1 };
}

export function endOf(r: Row, cycles: readonly CycleRow[]): TreatmentEnd | null {
  const outcome = strOrNull(r, 'outcome');
  if (outcome === null) return null;
  return {
    endedAtEpochMs: num(r, 'ended_at_epoch_ms'),
    outcome: outcome as TreatmentOutcome,
    cycles,
    frozenMs: num(r, 'frozen_ms'),
    samplesDropped: num(r, 'samples_dropped'),
  };
}

export function sampleOf(r: Row, phases: PhaseCodes): SampleRow {
  const rest = strOrNull(r, 'tip_rest_c');
  return {
    tMs: num(r, 't_ms'),
    phase: phaseOf(num(r, 'phase'), phases),
    tipC: [numOrNull(r, 'tip0_c'), ...(rest === null ? [] : (JSON.parse(rest) as (number | null)[]))],
    supplyBarGauge: numOrNull(r, 'supply_bar_gauge'),
    returnBarAbs: numOrNull(r, 'return_bar_abs'),
    supplyValveOpen: num(r, 'supply_valve_open') === 1,
    safetyValveOpen: num(r, 'safety_valve_open') === 1,
  };
}

export function eventOf(r: Row): EventRow {
  return { tMs: num(r, 't_ms'), kind: str(r, 'kind'), detail: JSON.parse(str(r, 'detail')) as Record<string, unknown> };
}

export function phaseOf(code: number, phases: PhaseCodes): Phase {
  const phase = phases.nameOf.get(code);
  if (phase === undefined) throw new RecordsError('corrupt', `phase code ${code} is not in the phases table`);
  return phase;
}
