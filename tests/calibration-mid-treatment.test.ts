// The calibration verdict a treatment started with holds through its freezes and thaws (review of
// the probe diameter from the calibration record). A start or acknowledge press asked for the
// record to be read again (src/runtime/loop.ts) in any phase; an acknowledge pressed in a thaw
// (the INEFFECTIVE_FREEZE advisory it clears is raised there) after the record has expired, the
// re-read answered "unusable", and CALIBRATION_INVALID is armed only in SelfTest and Ready, so
// nothing tripped: the step went on with the identity
// correction and no probe diameter. The next freeze then modelled the 0.4 mm probe as the settings'
// 1.27 mm one (2.86 / 3.14 mm estimated against a true 1.87 / 1.93 mm, judged effective), and the
// thaw was judged on a reading 3 C warm (the fuzzer's refreeze-before-thaw: a freeze started with
// the true tip at -1.96 C). Virtual time; PreloadedCalibration read between ticks as `cryo run` does.
import { describe, expect, it } from 'vitest';
import { calibrated, uncalibrated } from '../src/controller/probe-calibration.js';
import type { ProbeCalibration } from '../src/controller/probe-calibration.js';
import type { FreezeVerdict } from '../src/controller/ice-ball.js';
import type { Phase } from '../src/controller/types.js';
import { PreloadedCalibration, withFittedProbeId } from '../src/runtime/calibration-provider.js';
import type { CalibrationProvider, TickCalibration } from '../src/runtime/calibration-provider.js';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { TimedAction } from '../src/sim/fuzz/scenario.js';
import type { FaultSpec } from '../hil/faults.js';
import { TIP_NOISE_ALLOWANCE_C } from '../src/sim/fuzz/bounds.js';
import { probeErrorCorrectedBy } from '../src/sim/scenarios/environment.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { silentLogger } from '../kernel/log.js';
import { RecordingHal, nominalHalReadings } from './helpers/recording-hal.js';

const THIN_MM = 0.4;
/** The record corrects a probe that reads 3 C warm (the most a fit accepts). */
const OFFSET_C = -3;
/** Freeze 1 ends at about 125 s: the acknowledge falls in its thaw. */
const ACK_MS = 130_000;

/** The record is read at load and at the start press; every later read finds it expired. */
class ExpiresDuringTreatment implements CalibrationProvider {
  reads = 0;
  constructor(private readonly record: ProbeCalibration) {}
  lookup(): ProbeCalibration {
    this.reads += 1;
    return this.reads <= 2 ? this.record : uncalibrated('T', "probe 'P1': calibration expired");
  }
}

/** PreloadedCalibration as `cryo run` drives it: the read a tick asks for is done before the next tick. */
class ReadBetweenTicks implements TickCalibration {
  constructor(private readonly preloaded: PreloadedCalibration) {}
  inTick(probeId: string | null, recheck: boolean): ProbeCalibration {
    this.preloaded.refresh();
    return this.preloaded.inTick(probeId, recheck);
  }
}

/** Two 120 s freezes of a `plantOdMm` probe whose record (`record`, exactly correcting the sim
 * probe) expires after the start; the operator acknowledges in the first thaw. */
function treatment(record: ProbeCalibration, plantOdMm: number, press: 'acknowledge' | 'start' = 'acknowledge') {
  const provider = new ExpiresDuringTreatment(record);
  const preloaded = new PreloadedCalibration(provider, 'T');
  preloaded.load('P1');
  const operator: TimedAction[] = [{ atMs: 0, action: 'start' }, { atMs: ACK_MS, action: press }];
  const base = { seed: 170, noiseSeed: 170, settings: { protocol: { cycles: 2, freezeS: 120, thawS: 45 } }, plant: { probeOdMm: plantOdMm }, operator, faults: [] };
  const verdicts: FreezeVerdict[] = [];
  const modelledOdMm: (number | null)[] = [];
  const result = runScenario(
    { ...base, maxMs: maxMsFor(base) },
    {
      environment: { calibration: new ReadBetweenTicks(preloaded), sensor: probeErrorCorrectedBy(record.offsetC, record.gain) },
      onStep: (_nowMs, _readings, stepped) => {
        for (const e of stepped.events) if (e.kind === 'freeze-verdict') verdicts.push(e.verdict);
      },
      onTick: (o) => {
        if (o.before.freezeOpenedMs === null && o.after.freezeOpenedMs !== null) modelledOdMm.push(o.after.iceBallTrack?.probeOdMm ?? null);
      },
    },
  );
  return { violation: result.violation, verdicts, modelledOdMm, reads: provider.reads };
}

describe('a calibration record that expires during a treatment, an acknowledge pressed in a thaw', () => {
  it("keeps modelling the probe with the diameter its record stated at the start: each freeze of a 0.4 mm probe judged not effective", () => {
    const run = treatment(calibrated('T', 0, 1, THIN_MM), THIN_MM);
    expect(run.violation).toBeNull();
    expect(run.modelledOdMm).toEqual([THIN_MM, THIN_MM]);
    // The thin probe's true r(-20 C) ends each freeze short of the 2 mm target.
    expect(run.verdicts.map((v) => v.effective)).toEqual([false, false]);
  });

  it("keeps correcting the tip with the record's fit: no freeze starts on a tip still frozen", () => {
    const run = treatment(calibrated('T', OFFSET_C, 1), 1.27);
    expect(run.violation).toBeNull();
    expect(run.verdicts).toHaveLength(2);
  });

  it("keeps it through a start press in a thaw too (the step ignores it there; it asked for a read all the same)", () => {
    const run = treatment(calibrated('T', OFFSET_C, 1, THIN_MM), THIN_MM, 'start');
    expect(run.violation).toBeNull();
    expect(run.modelledOdMm).toEqual([THIN_MM, THIN_MM]);
    expect(run.reads).toBe(2);
  });

  it('asks for no read on an acknowledge in a thaw: the record is read at load and at the start press only', () => {
    expect(treatment(calibrated('T', 0, 1), 1.27).reads).toBe(2);
  });
});

/** The sim probe's id, as its plant reports it while it is connected (null while it is not). */
const SIM_PROBE_ID = 'SIM-PROBE-001';
/** Shorter than PROBE_DISCONNECTED's debounce (100 ms): it trips nothing. */
const GLITCH_MS = 40;
/** How long a run goes on past SAFE TO WITHDRAW. */
const SAFE_SEEN_FOR_MS = 1_000;
/** How long a run goes on past a second start press (its self-test judges the calibration). */
const RESTART_SEEN_FOR_MS = 1_000;
/** The new-site press before that start. */
const NEW_SITE_BEFORE_START_MS = 500;

/** Records by probe id; after `usableReads` reads (unlimited when null) every read finds them expired. */
class ByProbeId implements CalibrationProvider {
  reads: (string | null)[] = [];
  constructor(
    private readonly records: Readonly<Record<string, ProbeCalibration>>,
    private readonly usableReads: number | null = null,
  ) {}
  lookup(probeId: string | null): ProbeCalibration {
    this.reads.push(probeId);
    const record = probeId === null ? undefined : this.records[probeId];
    if (record === undefined) return uncalibrated('T', `probe ${String(probeId)}: no calibration record`);
    return this.usableReads !== null && this.reads.length > this.usableReads ? uncalibrated('T', `probe ${probeId}: calibration expired`) : record;
  }
}

/** The record always reads usable: only the probe id moves. */
class AlwaysUsable implements CalibrationProvider {
  reads: (string | null)[] = [];
  constructor(private readonly record: ProbeCalibration) {}
  lookup(probeId: string | null): ProbeCalibration {
    this.reads.push(probeId);
    return this.record;
  }
}

/** Two 60 s freezes of a 0.4 mm probe reading 3 C warm (its usable record corrects it and states
 * its diameter), `cryo run`'s calibration (the board's fitted id for a probe that reports none),
 * and the probe's presence lost for GLITCH_MS at `glitchAtMs` (none when null). */
function glitched(glitchAtMs: number | null) {
  const record = calibrated('T', OFFSET_C, 1, THIN_MM);
  const preloaded = new PreloadedCalibration(withFittedProbeId(new AlwaysUsable(record), SIM_PROBE_ID), 'T');
  preloaded.load(SIM_PROBE_ID);
  const faults: FaultSpec[] = glitchAtMs === null ? [] : [{ kind: 'probe-disconnect', atMs: glitchAtMs, durationMs: GLITCH_MS }];
  const base = { seed: 7, noiseSeed: 7, settings: { protocol: { cycles: 2, freezeS: 60, thawS: 30 } }, plant: { probeOdMm: THIN_MM }, operator: [{ atMs: 0, action: 'start' as const }], faults };
  const refreezes: { atMs: number; trueTipC: number }[] = [];
  const modelledOdMm: (number | null)[] = [];
  const trips: string[] = [];
  const tipUnknown: string[] = [];
  const phaseAtMs: Partial<Record<Phase, number>> = {};
  const seen: { safeMs: number | null } = { safeMs: null };
  const result = runScenario(
    { ...base, maxMs: maxMsFor(base) },
    {
      environment: { calibration: new ReadBetweenTicks(preloaded), sensor: probeErrorCorrectedBy(record.offsetC, record.gain) },
      onStep: (nowMs, _readings, stepped) => {
        for (const e of stepped.events) {
          if (e.kind === 'trip') trips.push(e.id);
          if (e.kind === 'tip-unknown') tipUnknown.push(e.reason);
          if (e.kind === 'phase') phaseAtMs[e.to] ??= nowMs;
          if (e.kind === 'safe-to-withdraw' && e.safe) seen.safeMs ??= nowMs;
        }
      },
      onTick: (o) => {
        if (o.before.phase === 'Thawing' && o.after.phase === 'Freezing') refreezes.push({ atMs: o.nowMs, trueTipC: o.plant.tipTrueC });
        if (o.before.freezeOpenedMs === null && o.after.freezeOpenedMs !== null) modelledOdMm.push(o.after.iceBallTrack?.probeOdMm ?? null);
      },
      // Past SAFE TO WITHDRAW, so that a glitch after the treatment is seen to leave it be.
      done: (o) => seen.safeMs !== null && o.nowMs > seen.safeMs + SAFE_SEEN_FOR_MS,
    },
  );
  return { violation: result.violation, refreezes, modelledOdMm, trips, tipUnknown, phaseAtMs, safeMs: seen.safeMs };
}

describe('a probe presence glitch shorter than the debounce in a thaw (the sim probe reports no id while it is off)', () => {
  // The id read null for the glitch and the probe's again after it: a probe id other than the one
  // read answered "not read yet" (uncalibrated) for a tick, which trips nothing in a thaw. The
  // thaw ended on that tick's uncorrected reading, 3 C warm, 1.5 s early: the next freeze began
  // with the true tip at -1.46 C, modelled with the setting's 1.27 mm probe (its verdict judged
  // on a probe three times the true one's diameter).
  it('holds the verdict: the refreeze waits for the thaw and models the record\'s diameter, as without the glitch', () => {
    const clean = glitched(null);
    const refreezeMs = clean.refreezes[0]?.atMs ?? Number.NaN;
    expect(clean.refreezes).toHaveLength(1);
    const run = glitched(refreezeMs - 1_500);
    expect(run.trips.filter((id) => id !== 'INEFFECTIVE_FREEZE')).toEqual([]);
    expect(run.violation).toBeNull();
    expect(run.refreezes).toHaveLength(1);
    expect(run.refreezes[0]?.trueTipC).toBeGreaterThanOrEqual(-TIP_NOISE_ALLOWANCE_C);
    expect(run.modelledOdMm).toEqual([THIN_MM, THIN_MM]);
  });
});

describe('a probe presence glitch shorter than the debounce in the self-test or after the treatment', () => {
  // The loop asked the provider about the missing id; its "not read yet" tripped
  // CALIBRATION_INVALID at once in the self-test (no debounce: PROBE_DISCONNECTED's rode the
  // glitch out), ending the treatment before it began; after the treatment it made the tip unknown
  // (a wait of over an hour). The verdict now holds while the probe reads absent (loop.ts
  // verdictHeld), and an unusable reading after gas must last TIP_UNUSABLE_DEBOUNCE_MS (step.ts).
  const clean = glitched(null);

  it('the run without the glitch self-tests, freezes twice, completes and declares SAFE TO WITHDRAW with the tip always known', () => {
    expect(clean.phaseAtMs.SelfTest).toBeDefined();
    expect(clean.phaseAtMs.Complete).toBeDefined();
    expect(clean.safeMs).not.toBeNull();
    expect(clean.tipUnknown).toEqual([]);
  });

  it('in the self-test: trips nothing, and the treatment runs as without it', () => {
    const selfTestMs = clean.phaseAtMs.SelfTest ?? Number.NaN;
    const readyMs = clean.phaseAtMs.Ready ?? Number.NaN;
    expect(readyMs - selfTestMs).toBeGreaterThan(2 * GLITCH_MS);
    const run = glitched(Math.round((selfTestMs + readyMs) / 2 / 20) * 20);
    expect(run.trips.filter((id) => id !== 'INEFFECTIVE_FREEZE')).toEqual([]);
    expect(run.violation).toBeNull();
    expect(run.phaseAtMs.Complete).toBeDefined();
    expect(run.modelledOdMm).toEqual([THIN_MM, THIN_MM]);
    expect(run.tipUnknown).toEqual([]);
  });

  it('after the treatment, before SAFE TO WITHDRAW: the tip stays known, and SAFE TO WITHDRAW comes a dwell after the glitch', () => {
    const completeMs = clean.phaseAtMs.Complete ?? Number.NaN;
    const safeMs = clean.safeMs ?? Number.NaN;
    expect(safeMs - completeMs).toBeGreaterThan(2 * GLITCH_MS);
    const glitchAtMs = Math.round((completeMs + safeMs) / 2 / 20) * 20;
    const run = glitched(glitchAtMs);
    expect(run.violation).toBeNull();
    expect(run.tipUnknown).toEqual([]);
    // The dwell starts again after the glitch's last tick (step.ts warmFromNow).
    const dwellMs = DEFAULT_SETTINGS.thaw.withdrawDwellMs;
    expect(run.safeMs).toBeGreaterThanOrEqual(glitchAtMs + dwellMs);
    expect(run.safeMs).toBeLessThanOrEqual(glitchAtMs + GLITCH_MS + dwellMs);
  });
});

describe('acknowledges after a treatment re-read a usable record (cryo run on the sim board)', () => {
  // After gas has flowed, a calibration that is not usable makes the tip unknown (step.ts
  // unusableAfterGas), which holds SAFE TO WITHDRAW back by the unknown-tip wait (over an hour
  // here). A re-read of a usable record must never look unusable for a tick: for a probe with an
  // id and for one without (the board's fitted id looks it up).
  function oneCycle(
    probeId: string | null,
    acknowledgeAtMs: readonly number[],
    provider: CalibrationProvider & { readonly reads: number | readonly unknown[] } = new AlwaysUsable(calibrated('T', OFFSET_C, 1)),
    restartAtMs: number | null = null,
  ) {
    const preloaded = new PreloadedCalibration(withFittedProbeId(provider, SIM_PROBE_ID), 'T');
    preloaded.load(probeId);
    const operator: TimedAction[] = [
      { atMs: 0, action: 'start' },
      ...acknowledgeAtMs.map((atMs) => ({ atMs, action: 'acknowledge' as const })),
      // A new site first: all the protocol's cycles were given at this one.
      ...(restartAtMs === null ? [] : [{ atMs: restartAtMs - NEW_SITE_BEFORE_START_MS, action: 'new-site' as const }, { atMs: restartAtMs, action: 'start' as const }]),
    ];
    const seen: { completeMs: number | null; safeMs: number | null } = { completeMs: null, safeMs: null };
    const tipUnknown: string[] = [];
    const trips: string[] = [];
    const base = { seed: 7, noiseSeed: 7, settings: { protocol: { cycles: 1, freezeS: 30, thawS: 30 } }, plant: { probeId }, operator, faults: [] };
    runScenario(
      { ...base, maxMs: maxMsFor(base) },
      {
        environment: { calibration: new ReadBetweenTicks(preloaded), sensor: probeErrorCorrectedBy(OFFSET_C, 1) },
        onStep: (nowMs, _readings, stepped) => {
          for (const e of stepped.events) {
            if (e.kind === 'tip-unknown') tipUnknown.push(e.reason);
            if (e.kind === 'safe-to-withdraw' && e.safe) seen.safeMs ??= nowMs;
            if (e.kind === 'phase' && e.to === 'Complete') seen.completeMs = nowMs;
            if (e.kind === 'trip') trips.push(e.id);
          }
        },
        done: (o) => seen.safeMs !== null && o.nowMs > Math.max(seen.safeMs, ...acknowledgeAtMs, (restartAtMs ?? 0) + RESTART_SEEN_FOR_MS),
      },
    );
    return { ...seen, tipUnknown, trips, reads: typeof provider.reads === 'number' ? provider.reads : provider.reads.length };
  }

  for (const probeId of [SIM_PROBE_ID, null]) {
    it(`SAFE TO WITHDRAW still comes, and the tip is never unknown (probe id ${String(probeId)})`, () => {
      const quiet = oneCycle(probeId, []);
      const fromMs = quiet.completeMs ?? Number.NaN;
      const untilMs = (quiet.safeMs ?? Number.NaN) + 5_000;
      // Acknowledge every 300 ms from Complete until after SAFE TO WITHDRAW.
      const acks = Array.from({ length: Math.ceil((untilMs - fromMs) / 300) }, (_, i) => fromMs + 20 + i * 300);
      const run = oneCycle(probeId, acks);
      expect(run.completeMs).toBe(quiet.completeMs);
      expect(run.tipUnknown).toEqual([]);
      expect(run.safeMs).not.toBeNull();
      // An acknowledge reads nothing while the verdict is usable: the record is read at load and
      // at the start press only.
      expect(run.reads).toBe(2);
    });
  }

  it('a record that expired during the treatment, acknowledges after it: the fit the treatment ran on is kept, the tip stays known, SAFE TO WITHDRAW comes; the next start reads the record again and trips CALIBRATION_INVALID', () => {
    // Before, an acknowledge in Complete read the expired record; the reading went uncorrected
    // (3 C warm here) and, after gas, the tip became unknown: SAFE TO WITHDRAW held back by the
    // unknown-tip wait, over half an hour after 30 s of gas.
    const quiet = oneCycle(SIM_PROBE_ID, []);
    const fromMs = quiet.completeMs ?? Number.NaN;
    const untilMs = (quiet.safeMs ?? Number.NaN) + 5_000;
    const acks = Array.from({ length: Math.ceil((untilMs - fromMs) / 300) }, (_, i) => fromMs + 20 + i * 300);
    const restartAtMs = untilMs + 1_000;
    const run = oneCycle(SIM_PROBE_ID, acks, new ExpiresDuringTreatment(calibrated('T', OFFSET_C, 1)), restartAtMs);
    expect(run.safeMs).toBe(quiet.safeMs);
    expect(run.trips.filter((id) => id !== 'INEFFECTIVE_FREEZE')).toEqual(['CALIBRATION_INVALID']);
    // The only unknown tip is the restart's, from its trip (a tip-validity row).
    expect(run.tipUnknown).toHaveLength(1);
    expect(run.tipUnknown[0]).toMatch(/^CALIBRATION_INVALID: /);
  });
});

describe('the verdict held while the probe reads absent does not outlast the probe (ControlLoop on a scripted board)', () => {
  const PERIOD_MS = 20;
  /** Board readings by tick: probe P1 in, absent over `absent` ticks, then `after` in; start pressed at `startTick`. */
  function board(absent: readonly [number, number], after: string, startTick: number) {
    return new RecordingHal((n) =>
      nominalHalReadings(n * PERIOD_MS, {
        probe: n < absent[0] ? { present: true, id: 'P1', atMs: n * PERIOD_MS } : n <= absent[1] ? { present: false, id: null, atMs: n * PERIOD_MS } : { present: true, id: after, atMs: n * PERIOD_MS },
        operator: { start: n === startTick, stop: false, acknowledge: false, audioPause: false, newSite: false, footswitch: false, estop: false, atMs: n * PERIOD_MS },
      }),
    );
  }
  /** Runs `ticks` ticks; the trips and the provider's reads. */
  function run(hal: RecordingHal, provider: CalibrationProvider & { reads: (string | null)[] }, ticks: number) {
    const preloaded = new PreloadedCalibration(provider, 'T');
    preloaded.load('P1');
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: new ReadBetweenTicks(preloaded) });
    const trips: string[] = [];
    for (let n = 0; n < ticks; n++) for (const e of loop.tick(n * PERIOD_MS).events) if (e.kind === 'trip') trips.push(e.id);
    return trips;
  }

  it('a probe swapped for one without a record while the console waits: the start trips CALIBRATION_INVALID', () => {
    const provider = new ByProbeId({ P1: calibrated('T', 0, 1) });
    const trips = run(board([10, 14], 'P2', 25), provider, 40);
    expect(trips[0]).toBe('CALIBRATION_INVALID');
    expect(provider.reads).toContain('P2');
  });

  it('a start pressed while the probe reads absent for a glitch still re-reads the record once it is back: an expired record trips CALIBRATION_INVALID', () => {
    // Read at load, usable; every later read finds it expired.
    const provider = new ByProbeId({ P1: calibrated('T', 0, 1) }, 1);
    const trips = run(board([10, 12], 'P1', 11), provider, 30);
    expect(provider.reads).toEqual(['P1', 'P1']);
    expect(trips[0]).toBe('CALIBRATION_INVALID');
  });
});
