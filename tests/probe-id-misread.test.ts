// The probe's id read wrong while the probe stays attached (src/sim/fuzz/probe-id.ts), found with
// the fuzzer's misread event. A probe id other than the one read asked for that id's record, and
// the store may hold one (another probe of the clinic's); from the next tick the step used it.
// (1) A treatment stopped mid-freeze, the probe rewarming in the tissue through its latent-heat
// plateau, its id chip reading another probe's id for 5 s: the tip, truly at -3.3 C, read +2.6 C by
// that probe's fit (6 C apart at 0 C) and SAFE TO WITHDRAW came on after the 5 s dwell
// (withdraw-while-frozen). (2) A misread of 11.6 s spanning a start press and its self-test ran the
// freeze on the other probe's fit and its 0.75 mm diameter, the probe attached being 1.41 mm
// (estimate-models-other-probe; `cryo hil fuzz` seed 3083). A probe reading present throughout
// cannot have changed, so another id now answers unusable (src/runtime/loop.ts misreadProbeId): a
// misread makes the tip unknown or trips CALIBRATION_INVALID, never another probe's fit.
import { describe, expect, it } from 'vitest';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { Scenario } from '../src/sim/fuzz/scenario.js';
import type { ProbeIdMisread } from '../src/sim/fuzz/probe-id.js';
import { calibrated, uncalibrated } from '../src/controller/probe-calibration.js';
import type { ProbeCalibration } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { PreloadedCalibration } from '../src/runtime/calibration-provider.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { silentLogger } from '../kernel/log.js';
import { RecordingHal, nominalHalReadings } from './helpers/recording-hal.js';

/** The attached probe's record corrects a probe that reads 3 C warm at gain 0.96; the other
 * probe's record, under the misread id, corrects one that reads 3 C cold at gain 1.04. */
const OTHER_RECORD = { offsetC: 3, gain: 1.04 };
/** 88 s: the stopped probe rewarms through -3.8 C, its reading 2.3 C by the other record. */
const MISREAD_MS = 88_000;

function stoppedMidFreeze(misreads: readonly ProbeIdMisread[]): Scenario {
  const base = {
    seed: 0, noiseSeed: 7, settings: { protocol: { cycles: 2, freezeS: 60, thawS: 30 } }, plant: {},
    operator: [{ atMs: 0, action: 'start' as const }, { atMs: 30_000, action: 'stop' as const }], faults: [],
    calibration: { offsetC: -3, gain: 0.96, events: [] }, probeIdMisreads: misreads,
  };
  return { ...base, maxMs: maxMsFor(base) };
}

/** `cryo hil fuzz` seed 3083, shrunk: a 1.41 mm probe, the id reading SIM-PROBE-539 (a 0.75 mm
 * probe's record in the store) from 27.5 s to 39.1 s, start pressed at 35 s. */
function startDuringMisread(): Scenario {
  const odMm = 1.41;
  const base = {
    seed: 0, noiseSeed: 7, settings: { protocol: { cycles: 1, freezeS: 10, thawS: 10 } }, plant: { probeOdMm: odMm },
    operator: [{ atMs: 35_000, action: 'start' as const }], faults: [],
    calibration: { offsetC: 2.24, gain: 1.009, probeOdMm: odMm, events: [] },
    probeIdMisreads: [{ atMs: 27_500, durationMs: 11_600, id: 'SIM-PROBE-539', record: { offsetC: 0.67, gain: 0.986, probeOdMm: 0.75 } }],
  };
  return { ...base, maxMs: maxMsFor(base) };
}

describe('a start pressed while the probe id misreads, the probe attached throughout', () => {
  it("never runs the treatment on the other probe's record", () => {
    const used = new Set<number | null>();
    const run = runScenario(startDuringMisread(), {
      onTick: (o) => {
        if (o.calibration?.ok === true && (o.before.phase === 'Freezing' || o.before.phase === 'Thawing')) used.add(o.calibration.probeOdMm);
      },
    });
    expect(run.violation).toBeNull();
    expect(used.has(0.75)).toBe(false);
  });
});

describe("a probe id misread after a treatment, the probe attached throughout", () => {
  it("never corrects the frozen tip with another probe's record (no SAFE TO WITHDRAW while frozen)", () => {
    const run = runScenario(stoppedMidFreeze([{ atMs: MISREAD_MS, durationMs: 12_000, id: 'SIM-PROBE-777', record: OTHER_RECORD }]));
    expect(run.violation).toBeNull();
  });

  it('makes the tip unknown once it lasts longer than the debounce, never safe to withdraw while frozen', () => {
    const phases: { atMs: number; ok: boolean; offsetC: number; distrusted: boolean; safe: boolean; tipTrueC: number }[] = [];
    runScenario(stoppedMidFreeze([{ atMs: MISREAD_MS, durationMs: 2_000, id: 'SIM-PROBE-777', record: OTHER_RECORD }]), {
      onTick: (o) => {
        if (o.calibration !== null) phases.push({ atMs: o.nowMs, ok: o.calibration.ok, offsetC: o.calibration.offsetC, distrusted: o.after.tipDistrust !== null, safe: o.after.safeToWithdraw, tipTrueC: o.plant.tipTrueC });
      },
    });
    const during = phases.filter((p) => p.atMs >= MISREAD_MS && p.atMs < MISREAD_MS + 2_000);
    // Never the other probe's fit while the tip is not yet unknown.
    expect(during.filter((p) => !p.distrusted).every((p) => !p.ok || p.offsetC === -3)).toBe(true);
    expect(during.at(-1)?.distrusted).toBe(true);
    expect(phases.filter((p) => p.safe).every((p) => p.tipTrueC >= 0)).toBe(true);
  });

  it('rides out a misread of one sample: the tip stays known, the right record in use', () => {
    const phases: { atMs: number; distrusted: boolean; offsetC: number }[] = [];
    runScenario(stoppedMidFreeze([{ atMs: MISREAD_MS, durationMs: 10, id: 'SIM-PROBE-777', record: OTHER_RECORD }]), {
      onTick: (o) => {
        if (o.calibration !== null) phases.push({ atMs: o.nowMs, distrusted: o.after.tipDistrust !== null, offsetC: o.calibration.offsetC });
      },
    });
    const after = phases.filter((p) => p.atMs >= MISREAD_MS && p.atMs < MISREAD_MS + 1_000);
    expect(after.some((p) => p.distrusted)).toBe(false);
    expect(after.at(-1)?.offsetC).toBe(-3);
  });
});

describe('the attached probe, on a scripted board (ControlLoop)', () => {
  const PERIOD_MS = 20;
  const RECORDS: Readonly<Record<string, ProbeCalibration>> = { P1: calibrated('T', -1, 1), P2: calibrated('T', 2, 1) };
  /** P1 in, absent for `absentTicks` ticks from tick 10, then P2 in; the calibration each tick used. */
  function swap(absentTicks: number): ProbeCalibration[] {
    const hal = new RecordingHal((n) => {
      const atMs = n * PERIOD_MS;
      const probe = n < 10 ? { present: true, id: 'P1', atMs } : n < 10 + absentTicks ? { present: false, id: null, atMs } : { present: true, id: 'P2', atMs };
      return nominalHalReadings(atMs, { probe });
    });
    const preloaded = new PreloadedCalibration({ lookup: (id) => (id === null ? undefined : RECORDS[id]) ?? uncalibrated('T', 'no record') }, 'T');
    preloaded.load('P1');
    const used: ProbeCalibration[] = [];
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: preloaded, onStep: (_ms, r) => used.push(r.calibration) });
    for (let n = 0; n < 10 + absentTicks + 10; n++) {
      loop.tick(n * PERIOD_MS);
      preloaded.refresh();
    }
    return used;
  }

  it("takes a new probe's record once the old one has read absent for PROBE_DISCONNECTED's debounce", () => {
    expect(swap(8).at(-1)).toEqual(RECORDS.P2);
  });

  it('takes none for an id that changed across an absence shorter than the debounce: unusable, a misread', () => {
    const last = swap(3).at(-1);
    expect(last?.ok).toBe(false);
    expect(last?.problem).toContain("the probe's id reads 'P2', not 'P1'");
  });
});
