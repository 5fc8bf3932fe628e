import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCalibration } from '../calibration/fit.js';
import { PromptClosedError, runCalibrationProcedure } from '../calibration/procedure/index.js';
import type { CalibrationPrompt, ProcedureLimitsInput, ProcedureOutcome } from '../calibration/procedure/index.js';
import { simCalibrationRig, type SimRig } from '../hil/sim/sampler.js';
import { calibrationDir, readCalibration } from '../calibration/store.js';
import type { SensorParams } from '../hil/sim/index.js';
import type { FaultSpec } from '../hil/faults.js';
import { parseBoard } from '../src/board.js';
import { sublimationTempC } from '../kernel/co2.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-calibrate-');

const NOW = new Date('2025-04-01T09:00:00.000Z');
const PROBE = 'SIM-PROBE-001';
const BOARD = parseBoard({ name: 'test sim', backend: 'sim', seed: 11, plant: { probeId: PROBE } }, 'test');
/** The sim probe error of the brief: reads 1.5 C high with a 2 % gain error. */
const PROBE_ERROR: Partial<SensorParams> = { probeOffsetErrorC: 1.5, probeGainError: 1.02 };
const DRY_ICE_1013_C = sublimationTempC(1.013);

const ICE = ['1', 'yes'];
const DRY_ICE_1013 = ['2', '1013', 'yes'];

/** Scripted answers; runs out like a closed terminal. Records every line and question. */
class ScriptedPrompt implements CalibrationPrompt {
  readonly transcript: string[] = [];
  readonly progressLines: string[] = [];
  readonly #answers: string[];
  constructor(answers: readonly string[]) {
    this.#answers = [...answers];
  }
  ask(question: string): Promise<string> {
    const answer = this.#answers.shift();
    this.transcript.push(`? ${question}${answer ?? '<EOF>'}`);
    return answer === undefined ? Promise.reject(new PromptClosedError()) : Promise.resolve(answer);
  }
  show(line: string): void {
    this.transcript.push(line);
  }
  progress(line: string): void {
    this.progressLines.push(line);
  }
  get text(): string {
    return this.transcript.join('\n');
  }
  get unused(): number {
    return this.#answers.length;
  }
}

interface Run {
  outcome: ProcedureOutcome;
  prompt: ScriptedPrompt;
  dataDir: string;
  rig: SimRig;
}

async function run(
  answers: readonly string[],
  options: { sensor?: Partial<SensorParams>; faults?: FaultSpec[]; limits?: ProcedureLimitsInput } = {},
): Promise<Run> {
  const dataDir = newTempDir();
  const rig = simCalibrationRig({ board: BOARD, sensor: options.sensor ?? PROBE_ERROR, ...(options.faults ? { faults: options.faults } : {}) });
  const prompt = new ScriptedPrompt(answers);
  const outcome = await runCalibrationProcedure({
    prompt,
    sampler: rig.sampler,
    probeId: PROBE,
    thermocoupleType: 'T',
    now: () => NOW,
    dataDir,
    softwareVersion: '0.1.0-test',
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return { outcome, prompt, dataDir, rig };
}

const nothingWritten = (dataDir: string): boolean => !fs.existsSync(calibrationDir(dataDir)) || fs.readdirSync(calibrationDir(dataDir)).length === 0;

describe('guided calibration on the sim board', () => {
  it('calibrates a probe 1.5 C high with a 2 % gain error in ice and dry ice, and writes the record', async () => {
    const started = performance.now();
    const r = await run(['A. Engineer', ...ICE, ...DRY_ICE_1013, 'd', 'yes']);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(r.outcome.kind).toBe('saved');
    if (r.outcome.kind !== 'saved') return;
    expect(r.prompt.text).toMatch(/At 1013\.0 hPa dry ice sublimates at -78\.5\d C/);
    expect(r.outcome.path).toBe(path.join(calibrationDir(r.dataDir), `${PROBE}.json`));
    const record = readCalibration(r.dataDir, PROBE);
    expect(record).toEqual(r.outcome.record);
    expect(record).toMatchObject({ probeId: PROBE, thermocoupleType: 'T', calibratedBy: 'A. Engineer', referenceThermometerId: null, calibratedAt: NOW.toISOString() });
    expect(record.expiresAt).toBe('2025-09-28T09:00:00.000Z');
    expect(record.points.map((p) => p.bath)).toEqual(['ice-point', 'dry-ice-ethanol']);
    // The fit undoes the probe error: the calibrated reading of what the probe shows at the true
    // temperature is within 0.2 C of the truth at both ends.
    for (const trueC of [DRY_ICE_1013_C, 0]) {
      const rawC = PROBE_ERROR.probeGainError! * trueC + PROBE_ERROR.probeOffsetErrorC!;
      expect(Math.abs(applyCalibration(record.fit, rawC) - trueC)).toBeLessThan(0.2);
    }
    expect(record.fit.maxResidualC).toBeLessThan(0.05);
    expect(r.prompt.progressLines.length).toBeGreaterThan(10);
    expect(r.prompt.progressLines[0]).toMatch(/ice point: raw .* C \| drift .* \| noise .* \| window \d+ %/);
  });

  it('fits three baths with small residuals and records the reference thermometer', async () => {
    const r = await run(['A. Engineer', ...ICE, ...DRY_ICE_1013, '3', '37.05', 'REF-042', 'yes', 'done', 'y']);
    expect(r.outcome.kind).toBe('saved');
    const record = readCalibration(r.dataDir, PROBE);
    expect(record.referenceThermometerId).toBe('REF-042');
    expect(record.points).toHaveLength(3);
    for (const p of record.points) expect(Math.abs(p.residualC)).toBeLessThan(0.1);
    expect(record.fit.gain).toBeCloseTo(1 / 1.02, 2);
  });

  it('rejects a probe whose gain error is too large to be a thermocouple, and writes nothing', async () => {
    const r = await run(['A. Engineer', ...ICE, ...DRY_ICE_1013, 'd'], { sensor: { probeOffsetErrorC: 1.5, probeGainError: 1.15 } });
    expect(r.outcome.kind).toBe('rejected');
    if (r.outcome.kind !== 'rejected') return;
    expect(r.outcome.fit.rejectionReasons.join(' ')).toMatch(/gain .* outside the plausible/);
    expect(r.prompt.text).toContain('REJECTED');
    expect(r.prompt.text).toContain('docs/calibration.md');
    expect(r.prompt.text).not.toContain('Save this calibration');
    expect(nothingWritten(r.dataDir)).toBe(true);
  });

  it('rejects baths too close together to fix a gain (ice point and dry ice under a 100 C span limit)', async () => {
    const r = await run(['A. Engineer', ...ICE, ...DRY_ICE_1013, 'd'], { limits: { fit: { minSpanC: 100 } } });
    expect(r.outcome.kind).toBe('rejected');
    expect(r.prompt.text).toMatch(/points too close to fix a gain/);
    expect(nothingWritten(r.dataDir)).toBe(true);
  });

  it('refuses done until the dry ice bath, the only point at treatment temperatures, is measured', async () => {
    const r = await run(['A. Engineer', ...ICE, '3', '37', 'REF-1', 'yes', 'd', ...DRY_ICE_1013, 'd', 'yes']);
    expect(r.prompt.text).toContain('the dry ice in ethanol bath (2) is needed before done');
    expect(r.outcome.kind).toBe('saved');
  });

  it('re-asks every invalid answer with a message naming what is valid, then completes', async () => {
    const r = await run([
      '   ', 'A. Engineer',
      'x', 'd',
      '2', '2000', 'abc', '50', '1013 hPa', 'maybe', 'yes',
      '3', '50', 'warm', '37', '', 'REF-7', 'yes',
      'd', 'perhaps', 'yes',
    ]);
    expect(r.outcome.kind).toBe('saved');
    expect(r.prompt.unused).toBe(0);
    const text = r.prompt.text;
    expect(text).toContain('the name must not be empty');
    expect(text).toContain("'x' is not on the menu: choose 1, 2, 3, d (done) or q (quit)");
    expect(text).toContain('at least 2 baths are needed before done (0 measured so far)');
    expect(text).toMatch(/2000 is outside the plausible range: enter 500-1100 hPa/);
    expect(text).toMatch(/'abc' is not a pressure/);
    expect(text).toMatch(/50: give the unit \(hPa or bar\)/);
    expect(text).toMatch(/type yes when the probe is in the bath, or skip/);
    expect(text).toMatch(/50 C is outside 30 to 45 C/);
    expect(text).toMatch(/'warm' is not a temperature/);
    expect(text).toContain('the thermometer id must not be empty');
    expect(text).toContain("'perhaps' is not an answer: type yes or no");
  });

  it('reports a thermocouple fault during a bath, rejects the faulted readings and abandons the bath', async () => {
    const r = await run(['A. Engineer', ...ICE], { faults: [{ kind: 'tc-open', atMs: 10_000, durationMs: null }] });
    expect(r.prompt.text).toMatch(/ice point: thermocouple fault 'open' at 0:1\d: reading rejected/);
    expect(r.prompt.text).toMatch(/ice point: ABANDONED: thermocouple fault 'open' for 0:05/);
    expect(r.outcome).toMatchObject({ kind: 'aborted', points: [] });
    expect(nothingWritten(r.dataDir)).toBe(true);
  });

  it('rides through a short fault: the window restarts and the bath is still measured without faulted readings', async () => {
    const r = await run(['A. Engineer', ...ICE], { faults: [{ kind: 'tc-open', atMs: 45_000, durationMs: 1_000 }] });
    expect(r.prompt.text).toMatch(/thermocouple fault 'open'/);
    expect(r.prompt.text).toContain('readings are good again');
    expect(r.outcome.points).toHaveLength(1);
    expect(r.outcome.points[0]!.rawC).toBeCloseTo(1.5, 1);
  });

  it('abandons a bath that is not stable within the timeout and says why', async () => {
    const r = await run(['A. Engineer', ...ICE, 'q'], { sensor: { tcNoiseSdC: 0.5 } });
    expect(r.prompt.text).toMatch(/ice point: ABANDONED: not stable within 10:00 \(.*noise 0\.\d+ C above 0\.15\)/);
    expect(r.outcome).toMatchObject({ kind: 'aborted', reason: 'quit by the engineer', points: [] });
    expect(r.rig.clock.nowMs()).toBeGreaterThanOrEqual(600_000);
  });

  it('abandons a bath whose reading is stuck, naming the stuck sensor', async () => {
    const r = await run(['A. Engineer', ...ICE], { faults: [{ kind: 'tc-stuck', atMs: 0, durationMs: null }], limits: { bathTimeoutMs: 60_000 } });
    expect(r.prompt.text).toMatch(/ABANDONED: not stable within 1:00 \(the reading did not change: a stuck sensor/);
  });

  it('puts the sim probe in the bath only once the engineer confirms, and takes it out after', async () => {
    const r = await run(['A. Engineer', '1', 'skip']);
    expect(r.rig.hal.bathC).toBeNull();
    expect(r.rig.clock.nowMs()).toBe(0);
    const measured = await run(['A. Engineer', ...ICE]);
    expect(measured.rig.hal.bathC).toBeNull();
    expect(measured.prompt.text).toContain('Take the probe out of the ice point.');
  });

  it('replaces an earlier measurement of the same bath', async () => {
    const r = await run(['A. Engineer', ...ICE, ...ICE, 'q']);
    expect(r.prompt.text).toContain('This ice point measurement replaces the earlier one.');
    expect(r.outcome.points).toHaveLength(1);
  });

  it('saves nothing when the engineer declines an accepted calibration', async () => {
    const r = await run(['A. Engineer', ...ICE, ...DRY_ICE_1013, 'd', 'no']);
    expect(r.outcome.kind).toBe('declined');
    expect(nothingWritten(r.dataDir)).toBe(true);
  });

  it('stops without saving when input ends', async () => {
    const r = await run(['A. Engineer', ...ICE]);
    expect(r.outcome).toMatchObject({ kind: 'aborted', reason: 'input ended before the procedure finished' });
    expect(r.prompt.text).toContain('nothing was saved');
    expect(nothingWritten(r.dataDir)).toBe(true);
  });
});
