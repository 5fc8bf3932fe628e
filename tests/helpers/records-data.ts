// Records test data without vitest (the kill -9 test's child process imports it too): a
// treatment start, samples of a freeze, events and an end.
import type { Phase } from '../../src/controller/types.js';
import type { EventRow, SampleRow, TreatmentEnd, TreatmentStart } from '../../src/records/types.js';

export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);

export function treatmentStart(overrides: Partial<TreatmentStart> = {}): TreatmentStart {
  return {
    startedAtEpochMs: 1_780_000_000_000,
    console: { consoleId: 'c0ffee00-0000-4000-8000-000000000001', softwareVersion: '0.1.0', boardName: 'sim', boardSha256: SHA_A },
    protocol: { cycles: 2, freezeS: 120, thawS: 45 },
    settingsSha256: SHA_B,
    probe: { probeId: 'P-0042', calibrationId: 'cal-7', calibrationChecksum: 'f00d' },
    target: { nerveId: 'infrapatellar-saphenous', side: 'left' },
    patientRef: 'PT-19',
    operatorId: 'op-3',
    ...overrides,
  };
}

/** One sample every `periodMs` from `fromMs`, in `phase`, the tip following `tipAt`. */
export function samples(count: number, options: { fromMs?: number; periodMs?: number; phase?: Phase; open?: boolean; tipAt?: (i: number) => number | null } = {}): SampleRow[] {
  const { fromMs = 0, periodMs = 100, phase = 'Freezing', open = phase === 'Freezing', tipAt = (i) => -60.125 - i / 7 } = options;
  return Array.from({ length: count }, (_, i) => ({
    tMs: fromMs + i * periodMs,
    phase,
    tipC: [tipAt(i), 21.5 + i / 3],
    supplyBarGauge: 55.25 - i / 11,
    returnBarAbs: 1.8125,
    supplyValveOpen: open,
    safetyValveOpen: open,
  }));
}

export const phaseEvent = (tMs: number, to: Phase): EventRow => ({ tMs, kind: 'phase', detail: { from: 'Ready', to, cycle: 1 } });

export function treatmentEnd(overrides: Partial<TreatmentEnd> = {}): TreatmentEnd {
  return {
    endedAtEpochMs: 1_780_000_300_000,
    outcome: 'complete',
    cycles: [
      { index: 1, freezeS: 120, thawS: 45, minTipC: -71.5, secondsToMinus50C: 9.5, belowMinus20S: 150.25, belowMinus40S: 118, verdict: { r20MmAtEnd: 2.375, targetMm: 2, effective: true } },
      { index: 2, freezeS: 120, thawS: 45, minTipC: -72.25, secondsToMinus50C: null, belowMinus20S: 149, belowMinus40S: 117.5, verdict: { r20MmAtEnd: 1.625, targetMm: 2, effective: false } },
    ],
    frozenMs: 240_000,
    samplesDropped: 3,
    ...overrides,
  };
}
