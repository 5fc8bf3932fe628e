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
import { PreloadedCalibration, withFittedProbeId } from '../src/runtime/calibration-provider.js';
import type { CalibrationProvider, TickCalibration } from '../src/runtime/calibration-provider.js';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { TimedAction } from '../src/sim/fuzz/scenario.js';
import type { FaultSpec } from '../hil/faults.js';
import { TIP_NOISE_ALLOWANCE_C } from '../src/sim/fuzz/bounds.js';
import { probeErrorCorrectedBy } from '../src/sim/scenarios/environment.js';

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
  const result = runScenario(
    { ...base, maxMs: maxMsFor(base) },
    {
      environment: { calibration: new ReadBetweenTicks(preloaded), sensor: probeErrorCorrectedBy(record.offsetC, record.gain) },
      onStep: (_nowMs, _readings, stepped) => {
        for (const e of stepped.events) if (e.kind === 'trip') trips.push(e.id);
      },
      onTick: (o) => {
        if (o.before.phase === 'Thawing' && o.after.phase === 'Freezing') refreezes.push({ atMs: o.nowMs, trueTipC: o.plant.tipTrueC });
        if (o.before.freezeOpenedMs === null && o.after.freezeOpenedMs !== null) modelledOdMm.push(o.after.iceBallTrack?.probeOdMm ?? null);
      },
    },
  );
  return { violation: result.violation, refreezes, modelledOdMm, trips };
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

describe('acknowledges after a treatment re-read a usable record (cryo run on the sim board)', () => {
  // After gas has flowed, a calibration that is not usable makes the tip unknown (step.ts
  // unusableAfterGas), which holds SAFE TO WITHDRAW back by the unknown-tip wait (over an hour
  // here). A re-read of a usable record must never look unusable for a tick: for a probe with an
  // id and for one without (the board's fitted id looks it up).
  function oneCycle(probeId: string | null, acknowledgeAtMs: readonly number[]) {
    const provider = new AlwaysUsable(calibrated('T', OFFSET_C, 1));
    const preloaded = new PreloadedCalibration(withFittedProbeId(provider, SIM_PROBE_ID), 'T');
    preloaded.load(probeId);
    const operator: TimedAction[] = [{ atMs: 0, action: 'start' }, ...acknowledgeAtMs.map((atMs) => ({ atMs, action: 'acknowledge' as const }))];
    const seen: { completeMs: number | null; safeMs: number | null } = { completeMs: null, safeMs: null };
    const tipUnknown: string[] = [];
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
          }
        },
        done: (o) => seen.safeMs !== null && o.nowMs > Math.max(seen.safeMs, ...acknowledgeAtMs),
      },
    );
    return { ...seen, tipUnknown, reads: provider.reads.length };
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
      expect(run.reads).toBeGreaterThan(10);
    });
  }
});
