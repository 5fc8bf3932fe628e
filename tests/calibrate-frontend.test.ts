// The guided calibration on a hardware board's path: readings come from a SerialFrontend over a
// real pseudo-terminal pair (socat), sent by the front-end emulator, in real time. The baths are
// played by the test (the emulator's temperature follows the bath the engineer confirmed), with a
// short stability window so the run takes seconds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontendTipSampler } from '../calibration/procedure/frontend-sampler.js';
import { PromptClosedError, runCalibrationProcedure } from '../calibration/procedure/index.js';
import type { CalibrationPrompt } from '../calibration/procedure/index.js';
import { applyCalibration } from '../calibration/fit.js';
import { readCalibration } from '../calibration/store.js';
import type { TipSample, TipSource } from '../hal/contract.js';
import { SerialFrontend, serialPortFactory } from '../hal/serial/index.js';
import { FrontendEmulator } from '../hil/frontend/emulator.js';
import { openPtyPair } from '../hil/frontend/pty-pair.js';
import type { PtyPair } from '../hil/frontend/pty-pair.js';
import { MonotonicClock } from '../src/runtime/clock.js';
import { sublimationTempC } from '../src/physics/co2.js';

const OFFSET_ERROR_C = 1.5;
const GAIN_ERROR = 1.02;

class Answers implements CalibrationPrompt {
  readonly lines: string[] = [];
  constructor(private readonly answers: string[]) {}
  ask(question: string): Promise<string> {
    const a = this.answers.shift();
    this.lines.push(`? ${question}${a ?? '<EOF>'}`);
    return a === undefined ? Promise.reject(new PromptClosedError()) : Promise.resolve(a);
  }
  show(line: string): void {
    this.lines.push(line);
  }
  progress(): void {
    // not needed
  }
}

/** The engineer moves the probe: the emulated front-end starts reading that bath. */
class BathSampler extends FrontendTipSampler {
  constructor(source: TipSource, clock: MonotonicClock, private readonly moveTo: (bathC: number | null) => void) {
    super(source, clock, 20);
  }
  override probeInBath(bathC: number | null): void {
    this.moveTo(bathC);
  }
}

describe('cryo calibrate on a hardware front-end', () => {
  let pair: PtyPair;
  let emulator: FrontendEmulator;
  let frontend: SerialFrontend;
  let trueC = 22;
  let n = 0;

  beforeAll(async () => {
    pair = await openPtyPair();
    emulator = await FrontendEmulator.open(pair.devicePath, {
      // A small deterministic ripple: a real bath is never perfectly still.
      provider: () => ({ tempC: GAIN_ERROR * trueC + OFFSET_ERROR_C + 0.02 * Math.sin(n++ / 3), coldJunctionC: 25, faultBits: 0 }),
      thermocoupleType: 'T',
    });
    frontend = new SerialFrontend({ name: 'test front-end', openPort: serialPortFactory(pair.hostPath, 115_200), channels: 1, thermocoupleType: 'T', clock: new MonotonicClock() });
    const deadline = Date.now() + 5_000;
    while (frontend.fault() !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }, 20_000);

  afterAll(async () => {
    await frontend.close();
    await emulator.close();
    await pair.close();
  });

  it('calibrates a probe read through the serial protocol and writes a record that corrects it', async () => {
    expect(frontend.fault()).toBeNull();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cryo-hw-cal-'));
    const prompt = new Answers(['A. Engineer', '1', 'yes', '2', '1013', 'yes', 'd', 'yes']);
    const outcome = await runCalibrationProcedure({
      prompt,
      sampler: new BathSampler(frontend, new MonotonicClock(), (bathC) => {
        if (bathC !== null) trueC = bathC;
      }),
      probeId: 'HW-PROBE-1',
      thermocoupleType: 'T',
      now: () => new Date('2026-11-25T12:00:00Z'),
      dataDir,
      softwareVersion: 'test',
      limits: { stability: { windowMs: 1_000 } },
    });
    expect(outcome.kind, prompt.lines.join('\n')).toBe('saved');
    const record = readCalibration(dataDir, 'HW-PROBE-1');
    const dryIceC = sublimationTempC(1.013);
    for (const c of [0, dryIceC]) {
      const sample: Pick<TipSample, 'tipC'> = { tipC: GAIN_ERROR * c + OFFSET_ERROR_C };
      expect(Math.abs(applyCalibration(record.fit, sample.tipC) - c)).toBeLessThan(0.1);
    }
  }, 30_000);
});

describe('cryo calibrate on other boards', () => {
  const run = async (args: string[]): Promise<{ code: number; err: string }> => {
    const { main } = await import('../src/cli/main.js');
    const { PassThrough } = await import('node:stream');
    let err = '';
    const sink = new PassThrough();
    const code = await main(args, {
      stdout: () => undefined,
      stderr: (t) => void (err += t),
      console: { stdin: new PassThrough(), stdout: sink, stderr: sink },
    });
    return { code, err };
  };

  it('refuses the emulated board, whose front-end has no baths', async () => {
    const r = await run(['calibrate', '--probe', 'EMU-PROBE-001', '--board', 'boards/uno-emulated.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no baths');
  });

  it('refuses a simulated probe error on a hardware board', async () => {
    const r = await run(['calibrate', '--probe', 'P1', '--board', 'boards/arduino-uno.json', '--probe-offset-error-c', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('simulated boards only');
  });
});
