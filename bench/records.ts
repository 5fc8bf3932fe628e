// Treatment records: sustained sample write throughput through the real store (WAL,
// synchronous=FULL, so every commit waits for the disk), in batches of five samples per
// transaction as the records worker writes every 500 ms, and one sample per transaction, each
// against the 10 Hz the console needs; and how much one standard treatment adds to the file.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS } from '../src/controller/settings.js';
import type { Phase } from '../src/controller/types.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import type { EventRow, SampleRow, TreatmentStart } from '../src/records/types.js';

export interface RecordsBenchResult {
  /** Samples per second, five per transaction (the worker's batch). */
  batch5SamplesPerS: number;
  /** Samples per second, one per transaction (the worst case: a commit per sample). */
  batch1SamplesPerS: number;
  requiredSamplesPerS: number;
  batch5OverRequired: number;
  batch1OverRequired: number;
  /** What one standard treatment adds to the file (pages, after a checkpoint). */
  treatmentBytes: number;
  treatmentSamples: number;
  treatmentEvents: number;
  bytesPerSample: number;
}

/** The console records samples at 10 Hz (issue 10). */
const REQUIRED_SAMPLES_PER_S = 10;
const SAMPLE_PERIOD_MS = 1000 / REQUIRED_SAMPLES_PER_S;
const WORKER_BATCH_SAMPLES = 5;
/** Samples written per throughput figure: enough commits (2,000 of five, 2,000 of one) that the
 * disk's flush time dominates, short enough for a bench run. */
const BATCH5_SAMPLES = 10_000;
const BATCH1_SAMPLES = 2_000;
/** Self-test and ready before the first freeze, and the wait for safe withdrawal after the last. */
const LEAD_IN_S = 15;
const LEAD_OUT_S = 15;
/** Events of a typical treatment besides the phase changes: start, a few alarms, acknowledges, an
 * audio pause, safe to withdraw. */
const EXTRA_EVENTS = 12;

const start: TreatmentStart = {
  startedAtEpochMs: 1_780_000_000_000,
  console: { consoleId: '6f1c2a4e-2b1d-4a7e-9c55-0d9e1f6b3a21', softwareVersion: '0.1.0', boardName: 'sim', boardSha256: 'a'.repeat(64) },
  protocol: PRESETS.standard,
  settingsSha256: 'b'.repeat(64),
  probe: { probeId: 'P-0042', calibrationId: 'cal-2026-11-30-P-0042', calibrationChecksum: 'c'.repeat(64) },
  target: { nerveId: 'infrapatellar-saphenous', side: 'left' },
  patientRef: 'PT-0019',
  operatorId: 'op-3',
};

/** A sample with the precision real readings have (calibrated doubles, not round numbers), one
 * tip channel as every shipped board file reads. */
function sample(i: number, phase: Phase): SampleRow {
  const open = phase === 'Freezing';
  const tipC = open ? -70 + Math.sin(i / 13) * 3.3 : 10 + Math.cos(i / 17) * 7.1;
  return {
    tMs: i * SAMPLE_PERIOD_MS,
    phase,
    tipC: [tipC],
    supplyBarGauge: 56.1 - i * 0.000_731,
    returnBarAbs: open ? 1.83 + Math.sin(i / 5) * 0.041 : 1.013 + Math.sin(i / 7) * 0.002,
    supplyValveOpen: open,
    safetyValveOpen: open,
  };
}

/** The phase of each sample of a standard treatment. */
function standardPhases(): Phase[] {
  const { cycles, freezeS, thawS } = PRESETS.standard;
  const run = (phase: Phase, s: number): Phase[] => Array<Phase>(Math.round(s * REQUIRED_SAMPLES_PER_S)).fill(phase);
  const body = Array.from({ length: cycles }, () => [...run('Freezing', freezeS), ...run('Thawing', thawS)]).flat();
  return [...run('Ready', LEAD_IN_S), ...body, ...run('Complete', LEAD_OUT_S)];
}

function writeTreatment(store: RecordsStore): { samples: number; events: number } {
  const phases = standardPhases();
  const id = store.begin(start);
  let events = 0;
  const extraEveryBatches = Math.floor(phases.length / WORKER_BATCH_SAMPLES / EXTRA_EVENTS);
  for (let at = 0; at < phases.length; at += WORKER_BATCH_SAMPLES) {
    const batch = phases.slice(at, at + WORKER_BATCH_SAMPLES).map((p, k) => sample(at + k, p));
    const evs: EventRow[] = [];
    batch.forEach((s, k) => {
      if (phases[at + k - 1] !== s.phase) evs.push({ tMs: s.tMs, kind: 'phase', detail: { kind: 'phase', atMs: s.tMs, from: phases[at + k - 1] ?? 'Idle', to: s.phase, cycle: 1 } });
    });
    if ((at / WORKER_BATCH_SAMPLES) % extraEveryBatches === extraEveryBatches - 1) evs.push({ tMs: at * SAMPLE_PERIOD_MS, kind: 'trip', detail: { kind: 'trip', atMs: at * SAMPLE_PERIOD_MS, id: 'RETURN_PRESSURE_HIGH', priority: 'medium' } });
    events += evs.length;
    store.append(id, batch, evs);
  }
  store.end(id, { endedAtEpochMs: start.startedAtEpochMs + phases.length * SAMPLE_PERIOD_MS, outcome: 'complete', cycles: [], frozenMs: 360_000, samplesDropped: 0 });
  return { samples: phases.length, events };
}

function throughput(store: RecordsStore, total: number, perBatch: number): number {
  const id = store.begin(start);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < total; i += perBatch) {
    store.append(id, Array.from({ length: perBatch }, (_, k) => sample(i + k, 'Freezing')), []);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  store.end(id, { endedAtEpochMs: start.startedAtEpochMs + total * SAMPLE_PERIOD_MS, outcome: 'complete', cycles: [], frozenMs: 0, samplesDropped: 0 });
  return Math.round(total / s);
}

/** The file's size once closed: the last connection's close checkpoints the WAL into it. */
function closedBytes(store: RecordsStore, file: string): number {
  store.close();
  return statSync(file).size;
}

export function benchRecords(): RecordsBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'cryo-bench-records-'));
  try {
    const file = recordsPath(dir);
    let store = RecordsStore.open(file);
    const batch5SamplesPerS = throughput(store, BATCH5_SAMPLES, WORKER_BATCH_SAMPLES);
    const batch1SamplesPerS = throughput(store, BATCH1_SAMPLES, 1);
    store.close();
    // Growth on a fresh file, after one treatment has sized its tables' first pages.
    rmSync(file);
    store = RecordsStore.open(file);
    writeTreatment(store);
    const before = closedBytes(store, file);
    store = RecordsStore.open(file);
    const written = writeTreatment(store);
    const treatmentBytes = closedBytes(store, file) - before;
    return {
      batch5SamplesPerS,
      batch1SamplesPerS,
      requiredSamplesPerS: REQUIRED_SAMPLES_PER_S,
      batch5OverRequired: Math.round(batch5SamplesPerS / REQUIRED_SAMPLES_PER_S),
      batch1OverRequired: Math.round(batch1SamplesPerS / REQUIRED_SAMPLES_PER_S),
      treatmentBytes,
      treatmentSamples: written.samples,
      treatmentEvents: written.events,
      bytesPerSample: Number((treatmentBytes / written.samples).toFixed(1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
