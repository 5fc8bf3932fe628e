// Treatment records for the exports, the report and the command line, built without a database:
// a complete 2-cycle treatment (10 Hz samples on two tip channels, phase events, an emergency stop
// pressed after completion with its trip, audio pause, clear and acknowledge) and one interrupted
// mid-freeze. The cycles are computed from the samples, so every number agrees with the plot.
import type { Phase } from '../../src/controller/types.js';
import { TREATMENT_VERSION_SCHEMA_VERSION } from '../../src/records/migrations.js';
import type { CycleRow, EventRow, RecordsReader, SampleRow, TreatmentRecord, TreatmentSummaryRow, VerifyResult } from '../../src/records/types.js';

export const SAMPLE_PERIOD_MS = 100;
const START_EPOCH_MS = Date.parse('2026-03-02T09:00:00.000Z');

/** Phase spans of the complete treatment, in seconds from its start. */
interface Span {
  readonly phase: Phase;
  readonly fromS: number;
  readonly toS: number;
  readonly cycle: number;
}
const COMPLETE_SPANS: readonly Span[] = [
  { phase: 'SelfTest', fromS: 0, toS: 3, cycle: 0 },
  { phase: 'Ready', fromS: 3, toS: 4, cycle: 0 },
  { phase: 'Freezing', fromS: 4, toS: 64, cycle: 1 },
  { phase: 'Thawing', fromS: 64, toS: 94, cycle: 1 },
  { phase: 'Freezing', fromS: 94, toS: 154, cycle: 2 },
  { phase: 'Thawing', fromS: 154, toS: 184, cycle: 2 },
  { phase: 'Complete', fromS: 184, toS: 186, cycle: 2 },
  { phase: 'Fault', fromS: 186, toS: 190, cycle: 2 },
];

/** To 0.01 C, as a converter reports; `+ 0` turns -0 into 0, which JSON cannot keep apart. */
const round2 = (c: number): number => Math.round(c * 100) / 100 + 0;

/** A first-order tip: towards -75 C while freezing (tau 8 s), towards 30 C otherwise (tau 10 s). */
function samplesFor(spans: readonly Span[], channels: number): SampleRow[] {
  const rows: SampleRow[] = [];
  let tipC = 24;
  for (const span of spans) {
    for (let tMs = span.fromS * 1000; tMs < span.toS * 1000; tMs += SAMPLE_PERIOD_MS) {
      const freezing = span.phase === 'Freezing';
      const targetC = freezing ? -75 : 30;
      const tauS = freezing ? 8 : 10;
      tipC += (targetC - tipC) * (1 - Math.exp(-SAMPLE_PERIOD_MS / 1000 / tauS));
      const rounded = round2(tipC);
      // Channel 1 reads 2 C warmer and drops out for half a second in the first freeze.
      const second = tMs >= 20_000 && tMs < 20_500 ? null : round2(tipC + 2);
      rows.push({
        tMs,
        phase: span.phase,
        tipC: channels === 1 ? [rounded] : [rounded, second],
        supplyBarGauge: freezing ? 52.4 : 57.1,
        returnBarAbs: freezing ? 1.62 : 1.01,
        supplyValveOpen: freezing,
        safetyValveOpen: freezing,
      });
    }
  }
  return rows;
}

function cyclesFrom(samples: readonly SampleRow[], spans: readonly Span[]): CycleRow[] {
  const cycles: CycleRow[] = [];
  for (const freeze of spans.filter((s) => s.phase === 'Freezing')) {
    const thaw = spans.find((s) => s.phase === 'Thawing' && s.cycle === freeze.cycle);
    const endS = thaw?.toS ?? freeze.toS;
    const inCycle = samples.filter((s) => s.tMs >= freeze.fromS * 1000 && s.tMs < endS * 1000);
    const tips = inCycle.map((s) => s.tipC[0] ?? null).filter((c): c is number => c !== null);
    const at50 = inCycle.find((s) => (s.tipC[0] ?? 0) <= -50);
    const below = (limitC: number): number => (inCycle.filter((s) => (s.tipC[0] ?? 0) < limitC).length * SAMPLE_PERIOD_MS) / 1000;
    cycles.push({
      index: freeze.cycle,
      freezeS: freeze.toS - freeze.fromS,
      thawS: thaw === undefined ? 0 : thaw.toS - thaw.fromS,
      minTipC: tips.length === 0 ? null : Math.min(...tips),
      secondsToMinus50C: at50 === undefined ? null : (at50.tMs - freeze.fromS * 1000) / 1000,
      belowMinus20S: below(-20),
      belowMinus40S: below(-40),
      // Made up, as the controller would judge: the first freeze reached the 2 mm target, the
      // second fell short.
      verdict: freeze.cycle === 1 ? { r20MmAtEnd: 2.25, targetMm: 2, effective: true } : { r20MmAtEnd: 1.75, targetMm: 2, effective: false },
    });
  }
  return cycles;
}

function phaseEvents(spans: readonly Span[]): EventRow[] {
  return spans.slice(1).map((span, i) => {
    const from = spans[i]?.phase ?? 'Idle';
    const atMs = span.fromS * 1000;
    return { tMs: atMs, kind: 'phase', detail: { kind: 'phase', atMs, from, to: span.phase, cycle: span.cycle } };
  });
}

const ALARM_EVENTS: readonly EventRow[] = [
  { tMs: 185_900, kind: 'input', detail: { kind: 'input', atMs: 185_900, input: 'estop-pressed' } },
  {
    tMs: 186_000,
    kind: 'trip',
    detail: { kind: 'trip', atMs: 186_000, id: 'EMERGENCY_STOP', priority: 'high', latched: true, detail: 'emergency stop pressed', hint: 'release the emergency stop, then acknowledge' },
  },
  { tMs: 186_500, kind: 'audio-pause', detail: { kind: 'audio-pause', atMs: 186_500, action: 'start', untilMs: 306_500 } },
  { tMs: 188_000, kind: 'input', detail: { kind: 'input', atMs: 188_000, input: 'estop-released' } },
  { tMs: 188_100, kind: 'audio-pause', detail: { kind: 'audio-pause', atMs: 188_100, action: 'end', reason: 'acknowledged' } },
  { tMs: 188_100, kind: 'acknowledge', detail: { kind: 'acknowledge', atMs: 188_100, silenced: ['EMERGENCY_STOP'] } },
  { tMs: 188_100, kind: 'cleared', detail: { kind: 'cleared', atMs: 188_100, id: 'EMERGENCY_STOP' } },
];

export function completeRecord(): TreatmentRecord {
  const samples = samplesFor(COMPLETE_SPANS, 2);
  const cycles = cyclesFrom(samples, COMPLETE_SPANS);
  const events = [...phaseEvents(COMPLETE_SPANS), ...ALARM_EVENTS].sort((a, b) => a.tMs - b.tMs);
  return {
    id: 7,
    start: {
      startedAtEpochMs: START_EPOCH_MS,
      console: { consoleId: '3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b', softwareVersion: '0.1.0', boardName: 'uno', boardSha256: 'a'.repeat(64) },
      protocol: { cycles: 2, freezeS: 60, thawS: 30 },
      settingsSha256: 'b'.repeat(64),
      probe: { probeId: 'P-0001', calibrationId: 'cal-2026-02-11-P-0001', calibrationChecksum: 'c'.repeat(64) },
      target: { nerveId: 'infrapatellar-saphenous', side: 'left' },
      patientRef: 'KN-2026-0042',
      operatorId: 'op-17',
    },
    end: {
      endedAtEpochMs: START_EPOCH_MS + 190_000,
      outcome: 'complete',
      cycles,
      frozenMs: 120_000,
      samplesDropped: 0,
    },
    cycles,
    events,
    samples,
    sealSha256: 'd'.repeat(64),
    // Begun before migration 4: no schema version recorded (its verdicts are from schema 3).
    schemaVersion: null,
  };
}

const INTERRUPTED_SPANS: readonly Span[] = [
  { phase: 'SelfTest', fromS: 0, toS: 3, cycle: 0 },
  { phase: 'Ready', fromS: 3, toS: 4, cycle: 0 },
  { phase: 'Freezing', fromS: 4, toS: 40, cycle: 1 },
];

/** Killed 36 s into its first freeze and closed as interrupted at its last sample; no patient
 * reference, operator or calibration; a motor-carrying target; one tip channel. */
export function interruptedRecord(): TreatmentRecord {
  const samples = samplesFor(INTERRUPTED_SPANS, 1);
  const lastTMs = samples.at(-1)?.tMs ?? 0;
  return {
    id: 8,
    start: {
      startedAtEpochMs: START_EPOCH_MS + 3_600_000,
      console: { consoleId: '3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b', softwareVersion: '0.1.0', boardName: 'sim', boardSha256: 'e'.repeat(64) },
      protocol: { cycles: 2, freezeS: 60, thawS: 30 },
      settingsSha256: 'b'.repeat(64),
      probe: { probeId: 'P-0002', calibrationId: null, calibrationChecksum: null },
      target: { nerveId: 'superficial-peroneal', side: 'right' },
      patientRef: null,
      operatorId: null,
    },
    end: { endedAtEpochMs: START_EPOCH_MS + 3_600_000 + lastTMs, outcome: 'interrupted', cycles: [], frozenMs: 36_000, samplesDropped: 3 },
    cycles: [],
    events: phaseEvents(INTERRUPTED_SPANS),
    samples,
    sealSha256: 'f'.repeat(64),
    schemaVersion: TREATMENT_VERSION_SCHEMA_VERSION,
  };
}

/** The record with another patient reference (for quoting and escaping tests). */
export function withPatientRef(record: TreatmentRecord, patientRef: string | null): TreatmentRecord {
  return { ...record, start: { ...record.start, patientRef } };
}

export function summaryOf(record: TreatmentRecord): TreatmentSummaryRow {
  const mins = record.cycles.map((c) => c.minTipC).filter((c): c is number => c !== null);
  return {
    id: record.id,
    startedAtEpochMs: record.start.startedAtEpochMs,
    endedAtEpochMs: record.end?.endedAtEpochMs ?? null,
    outcome: record.end?.outcome ?? null,
    target: record.start.target,
    probeId: record.start.probe.probeId,
    cycles: record.cycles.length,
    minTipC: mins.length === 0 ? null : Math.min(...mins),
  };
}

/** An in-memory RecordsReader over `records`; it counts its calls and knows whether it was closed. */
export class FakeReader implements RecordsReader {
  closed = false;
  lastLimit: number | undefined = undefined;
  constructor(
    private readonly records: readonly TreatmentRecord[],
    private readonly verifyResult: VerifyResult = { ok: true, treatments: records.length, rows: records.reduce((n, r) => n + r.samples.length + r.events.length + r.cycles.length + 1, 0) },
  ) {}
  list(limit?: number): TreatmentSummaryRow[] {
    this.lastLimit = limit;
    const newestFirst = [...this.records].sort((a, b) => b.id - a.id).map(summaryOf);
    return limit === undefined ? newestFirst : newestFirst.slice(0, limit);
  }
  get(id: number): TreatmentRecord | null {
    return this.records.find((r) => r.id === id) ?? null;
  }
  verify(): VerifyResult {
    return this.verifyResult;
  }
  close(): void {
    this.closed = true;
  }
}
