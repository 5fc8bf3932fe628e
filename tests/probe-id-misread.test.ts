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
import { PreloadedCalibration, withFittedProbeId } from '../src/runtime/calibration-provider.js';
import { ControlLoop, PROBE_SWAP_MIN_MS } from '../src/runtime/loop.js';
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

  // A review found the attached probe forgotten after PROBE_DISCONNECTED's debounce in time: a
  // presence glitch of 140 ms with a loop stall of 110 ms inside it (under loop.maxGapMs: nothing
  // trips) in Stopped, where PROBE_DISCONNECTED is not armed, or a shorter glitch with that
  // debounce set to 0, and a misread right after was taken as a new probe, its record with it:
  // SAFE TO WITHDRAW with the true tip at -3.3 C. A swap now needs PROBE_SWAP_MIN_MS absent, in
  // time and in ticks.
  it('keeps the attached probe across a presence glitch with a loop stall, and across one with PROBE_DISCONNECTED debounced to 0', () => {
    const misread = { atMs: MISREAD_MS, durationMs: 12_000, id: 'SIM-PROBE-777', record: OTHER_RECORD };
    const stalled = stoppedMidFreeze([misread]);
    const withStall = { ...stalled, faults: [{ kind: 'probe-disconnect' as const, atMs: MISREAD_MS - 140, durationMs: 140 }, { kind: 'loop-stall' as const, atMs: MISREAD_MS - 130, durationMs: 110 }] };
    expect(runScenario(withStall).violation).toBeNull();
    const undebounced = { ...stalled, settings: { ...stalled.settings, debounceMs: { PROBE_DISCONNECTED: 0 } }, faults: [{ kind: 'probe-disconnect' as const, atMs: MISREAD_MS - 60, durationMs: 60 }] };
    expect(runScenario(undebounced).violation).toBeNull();
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

  const SWAP_TICKS = PROBE_SWAP_MIN_MS / PERIOD_MS;

  it("takes a new probe's record once the old one has read absent for PROBE_SWAP_MIN_MS", () => {
    expect(swap(SWAP_TICKS + 1).at(-1)).toEqual(RECORDS.P2);
  });

  it('takes none for an id that changed across an absence shorter than PROBE_SWAP_MIN_MS: unusable, a misread', () => {
    for (const absent of [3, SWAP_TICKS - 1]) {
      const last = swap(absent).at(-1);
      expect(last?.ok).toBe(false);
      expect(last?.problem).toContain("the probe's id reads 'P2', not 'P1'");
    }
  });

  it('takes none across an absence that lasts PROBE_SWAP_MIN_MS only because the loop stalled (too few ticks)', () => {
    // Absent on ticks 10-12, the third 1.2 s after the first (a stall), then P2.
    const timeOf = (n: number): number => (n <= 11 ? n * PERIOD_MS : n * PERIOD_MS + 1_200);
    const hal = new RecordingHal((n) => {
      const atMs = timeOf(n);
      const probe = n < 10 ? { present: true, id: 'P1', atMs } : n < 13 ? { present: false, id: null, atMs } : { present: true, id: 'P2', atMs };
      return nominalHalReadings(atMs, { probe });
    });
    const preloaded = new PreloadedCalibration({ lookup: (id) => (id === null ? undefined : RECORDS[id]) ?? uncalibrated('T', 'no record') }, 'T');
    preloaded.load('P1');
    const used: ProbeCalibration[] = [];
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: preloaded, onStep: (_ms, r) => used.push(r.calibration) });
    for (let n = 0; n < 25; n++) {
      loop.tick(timeOf(n));
      preloaded.refresh();
    }
    expect(used.at(-1)?.ok).toBe(false);
    expect(used.at(-1)?.problem).toContain('the id chip misread, or the probe was changed in under 1 s');
  });

  // A review found the attached probe taken from the first usable verdict: a probe whose own record
  // is unusable (none, expired) had none attached for as long as it stayed so, and a misread onto
  // another probe's usable record was taken for it: a start during the misread ran the freeze on
  // that probe's fit and 0.75 mm diameter.
  it("never takes another probe's record for a probe whose own record is unusable", () => {
    const START_TICK = 560;
    const hal = new RecordingHal((n) => {
      const atMs = n * PERIOD_MS;
      const id = n >= 500 && n < 650 ? 'P2' : 'P0';
      return nominalHalReadings(atMs, { probe: { present: true, id, atMs }, operator: { start: n === START_TICK, stop: false, acknowledge: false, audioPause: false, newSite: false, footswitch: true, estop: false, atMs } });
    });
    const preloaded = new PreloadedCalibration({ lookup: (id) => (id === null ? undefined : RECORDS[id]) ?? uncalibrated('T', 'no record') }, 'T');
    preloaded.load('P0');
    const used: ProbeCalibration[] = [];
    const phases = new Set<string>();
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: preloaded, onStep: (_ms, r, res) => { used.push(r.calibration); phases.add(res.state.phase); } });
    for (let n = 0; n < 800; n++) {
      loop.tick(n * PERIOD_MS);
      preloaded.refresh();
    }
    expect(used.some((c) => c.ok)).toBe(false);
    expect(phases.has('Freezing')).toBe(false);
  });

  it('takes no id that cannot name a record as the attached probe (a chip answering garbage as the probe goes in)', () => {
    const hal = new RecordingHal((n) => {
      const atMs = n * PERIOD_MS;
      return nominalHalReadings(atMs, { probe: { present: true, id: n < 3 ? '\u0007??' : 'P1', atMs } });
    });
    const preloaded = new PreloadedCalibration({ lookup: (id) => (id === null ? undefined : RECORDS[id]) ?? uncalibrated('T', 'no record') }, 'T');
    preloaded.load('\u0007??');
    const used: ProbeCalibration[] = [];
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: preloaded, onStep: (_ms, r) => used.push(r.calibration) });
    for (let n = 0; n < 20; n++) {
      loop.tick(n * PERIOD_MS);
      preloaded.refresh();
    }
    expect(used.at(-1)).toEqual(RECORDS.P1);
  });

  // A review found a probe whose chip answers no id at first, on a board with a fitted id (looked up
  // by it), taken as attached under "no id": when the chip then answered the fitted id itself, the
  // same probe and record, the loop called it a misread until the probe was reconnected.
  it('compares ids as the calibration looks them up: no id, then the fitted id, is one probe', () => {
    const hal = new RecordingHal((n) => {
      const atMs = n * PERIOD_MS;
      return nominalHalReadings(atMs, { probe: { present: true, id: n < 5 ? null : 'P1', atMs } });
    });
    const preloaded = new PreloadedCalibration(withFittedProbeId({ lookup: (id) => (id === null ? undefined : RECORDS[id]) ?? uncalibrated('T', 'no record') }, 'P1'), 'T');
    preloaded.load(null);
    const used: ProbeCalibration[] = [];
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: preloaded, fittedProbeId: 'P1', onStep: (_ms, r) => used.push(r.calibration) });
    for (let n = 0; n < 50; n++) {
      loop.tick(n * PERIOD_MS);
      preloaded.refresh();
    }
    expect(used.slice(10).every((c) => c.ok && c.offsetC === -1)).toBe(true);
  });

  // The calibration held in memory compared raw ids: the fitted id after no id was a probe whose
  // record had not been read, for the tick until the read came back (CALIBRATION_INVALID in the
  // self-test: a spurious fault on a board with a fitted id and chipped probes).
  it('keeps the verdict of the record looked up when the chip answers no id and then the fitted id: no tick without it', () => {
    const hal = new RecordingHal((n) => {
      const atMs = n * PERIOD_MS;
      return nominalHalReadings(atMs, { probe: { present: true, id: n < 5 ? null : n < 9 ? 'P1' : null, atMs } });
    });
    const preloaded = new PreloadedCalibration(withFittedProbeId({ lookup: (id) => (id === null ? undefined : RECORDS[id]) ?? uncalibrated('T', 'no record') }, 'P1'), 'T', 'P1');
    preloaded.load(null);
    const used: ProbeCalibration[] = [];
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: preloaded, fittedProbeId: 'P1', onStep: (_ms, r) => used.push(r.calibration) });
    for (let n = 0; n < 20; n++) {
      loop.tick(n * PERIOD_MS);
      preloaded.refresh();
    }
    expect(used.map((c) => c.ok && c.offsetC === -1)).toEqual(used.map(() => true));
  });
});
