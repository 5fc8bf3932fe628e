// The guided calibration on a hardware board's path: readings come from a SerialFrontend fed
// protocol lines over a mock serial port, on a virtual clock with manual timers, so the run is
// deterministic and independent of the machine's speed. The front-end converts on its own
// schedule (every 25 ms) while the sampler polls every 20 ms: some polls see the same sample
// twice, as on real hardware, and must not restart the stability window.
import { createRequire } from 'node:module';
import type { MockBindingInterface, MockPortBinding } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { SerialPortStream } from '@serialport/stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyCalibration } from '../calibration/fit.js';
import { FrontendTipSampler } from '../calibration/procedure/frontend-sampler.js';
import { MAX_SAMPLE_AGE_MS, PromptClosedError, runCalibrationProcedure, sampleProblem } from '../calibration/procedure/index.js';
import type { CalibrationPrompt, ProcedureOutcome, TipSampler } from '../calibration/procedure/index.js';
import { readCalibration } from '../calibration/store.js';
import type { TipSample, TipSource } from '../hal/contract.js';
import { SerialFrontend } from '../hal/serial/frontend.js';
import { encodeLine } from '../hal/serial/protocol.js';
import { ManualTimers } from '../kernel/timers.js';
import { VirtualClock } from '../kernel/clock.js';
import { sublimationTempC } from '../kernel/co2.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-hw-cal-');

// binding-mock 10 ships types only for its CommonJS entry, so it is loaded (and typed) as CommonJS.
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingInterface };

const PORT = '/dev/ttyCAL0';
const OFFSET_ERROR_C = 1.5;
const GAIN_ERROR = 1.02;
const SAMPLER_PERIOD_MS = 20;
/** Slower than the sampler polls, so every fifth poll finds no new conversion. */
const DEVICE_PERIOD_MS = 25;
const STEP_MS = 5;
const ENGINEER = ['A. Engineer', '1', 'yes', '2', '1013', 'yes', 'd', 'yes'];
const LIMITS = { stability: { windowMs: 2_000 }, bathTimeoutMs: 20_000 };

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
  constructor(source: TipSource, clock: VirtualClock, timers: ManualTimers, private readonly moveTo: (bathC: number | null) => void) {
    super(source, clock, SAMPLER_PERIOD_MS, timers);
  }
  override probeInBath(bathC: number | null): void {
    this.moveTo(bathC);
  }
}

/** Let MockBinding's nextTick/promise chains and the procedure's awaits run; no wall-clock time passes. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('cryo calibrate on a hardware front-end (virtual time)', () => {
  let clock: VirtualClock;
  let timers: ManualTimers;
  let frontend: SerialFrontend;
  let port: SerialPortStream<typeof MockBinding> | null;
  let trueC: number;
  let seq: number;

  beforeEach(async () => {
    MockBinding.createPort(PORT, { echo: false, record: true });
    clock = new VirtualClock(1_000);
    timers = new ManualTimers(clock);
    port = null;
    trueC = 22;
    seq = 0;
    const openPort = (): SerialPortStream<typeof MockBinding> => (port = new SerialPortStream({ binding: MockBinding, path: PORT, baudRate: 115_200, autoOpen: false }));
    frontend = new SerialFrontend({ name: PORT, openPort, channels: 1, thermocoupleType: 'T', clock, timers });
    await settle();
    await send(encodeLine({ kind: 'device-hello', version: 1, deviceId: 'FE-CAL', firmwareVersion: '1.0.0', channelCount: 1, thermocoupleType: 'T' }));
  });

  afterEach(async () => {
    await frontend.close();
    MockBinding.reset();
  });

  async function send(line: string): Promise<void> {
    (port?.port as MockPortBinding).emitData(Buffer.from(line, 'latin1'));
    await settle();
  }

  /** One front-end conversion: the probe's error applied to the bath, with a small ripple (a real bath is never still). */
  function conversion(): string {
    const tempC = GAIN_ERROR * trueC + OFFSET_ERROR_C + 0.02 * Math.sin(seq / 3);
    return encodeLine({ kind: 'sample', seq: seq++, channel: 0, tempC, coldJunctionC: 25, faultBits: 0 });
  }

  /**
   * Run the procedure while the device converts every DEVICE_PERIOD_MS of virtual time. When
   * `converting` says no, the channel has stopped but the device still sends heartbeats: the link stays up.
   */
  async function calibrate(dataDir: string, prompt: Answers, converting: () => boolean = () => true): Promise<ProcedureOutcome> {
    const sampler = new BathSampler(frontend, clock, timers, (bathC) => {
      if (bathC !== null) trueC = bathC;
    });
    const finished: { outcome: ProcedureOutcome | null } = { outcome: null };
    void runCalibrationProcedure({
      prompt, sampler, probeId: 'HW-PROBE-1', thermocoupleType: 'T', now: () => new Date('2026-11-25T12:00:00Z'), dataDir, softwareVersion: 'test', limits: LIMITS,
    }).then((o) => (finished.outcome = o));
    let nextConversionMs = clock.nowMs();
    const endMs = clock.nowMs() + 3 * LIMITS.bathTimeoutMs;
    while (finished.outcome === null && clock.nowMs() < endMs) {
      if (clock.nowMs() >= nextConversionMs) {
        await send(converting() ? conversion() : encodeLine({ kind: 'heartbeat', seq: seq++ }));
        nextConversionMs += DEVICE_PERIOD_MS;
      }
      timers.advanceMs(STEP_MS);
      await settle();
    }
    if (finished.outcome === null) throw new Error(`the procedure did not finish in ${3 * LIMITS.bathTimeoutMs} ms of virtual time:\n${prompt.lines.join('\n')}`);
    return finished.outcome;
  }

  it('calibrates a probe read through the serial protocol, polled faster than it converts, and writes a record that corrects it', async () => {
    expect(frontend.fault()).toBeNull();
    const dataDir = newTempDir();
    const prompt = new Answers([...ENGINEER]);
    const outcome = await calibrate(dataDir, prompt);
    expect(outcome.kind, prompt.lines.join('\n')).toBe('saved');
    expect(prompt.lines.join('\n')).not.toMatch(/stale|window restarted/);
    const record = readCalibration(dataDir, 'HW-PROBE-1');
    for (const c of [0, sublimationTempC(1.013)]) {
      expect(Math.abs(applyCalibration(record.fit, GAIN_ERROR * c + OFFSET_ERROR_C) - c)).toBeLessThan(0.1);
    }
  });

  it('reports a channel that stops converting while the link stays up as stale once its last sample is older than the limit', async () => {
    const dataDir = newTempDir();
    const prompt = new Answers(['A. Engineer', '1', 'yes']);
    let stopAtMs = Number.POSITIVE_INFINITY;
    const outcome = await calibrate(dataDir, prompt, () => {
      if (trueC === 0 && stopAtMs === Number.POSITIVE_INFINITY) stopAtMs = clock.nowMs() + 500;
      return clock.nowMs() < stopAtMs;
    });
    expect(outcome.kind).toBe('aborted');
    expect(prompt.lines.join('\n')).toMatch(new RegExp(`ice point: stale reading \\(\\d+ ms old, limit ${MAX_SAMPLE_AGE_MS} ms`));
    expect(prompt.lines.join('\n')).toMatch(/ice point: ABANDONED: stale reading .* for 0:05/);
    expect(frontend.fault()).toBeNull();
  });
});

/** A sampler whose every conversion is read twice: the clock moves 10 ms per read, the sample every 20 ms. */
class DoubleReadSampler implements TipSampler {
  readonly periodMs = 10;
  #nowMs = 0;
  #latest: TipSample | null = null;
  #bathC = 22;
  nowMs(): number {
    return this.#nowMs;
  }
  latest(): TipSample | null {
    return this.#latest;
  }
  next(): Promise<TipSample> {
    this.#nowMs += this.periodMs;
    const atMs = this.#nowMs - (this.#nowMs % 20);
    this.#latest = { tipC: this.#bathC + 0.02 * Math.sin(atMs / 60), coldJunctionC: 25, fault: null, atMs };
    return Promise.resolve(this.#latest);
  }
  probeInBath(bathC: number | null): void {
    if (bathC !== null) this.#bathC = bathC;
  }
}

describe('a sample read twice', () => {
  it('is counted once and never restarts the stability window', async () => {
    const prompt = new Answers([...ENGINEER]);
    const dataDir = newTempDir();
    const outcome = await runCalibrationProcedure({
      prompt, sampler: new DoubleReadSampler(), probeId: 'P-2X', thermocoupleType: 'T', now: () => new Date('2026-11-25T12:00:00Z'), dataDir, softwareVersion: 'test', limits: LIMITS,
    });
    expect(outcome.kind, prompt.lines.join('\n')).toBe('saved');
    expect(prompt.lines.join('\n')).not.toMatch(/stale|window restarted/);
    // Each bath's mean is over distinct conversions only: a 2 s window at one per 20 ms.
    expect(outcome.points.length).toBeGreaterThan(0);
    for (const point of outcome.points) expect(point.samples).toBeLessThanOrEqual(2_000 / 20 + 1);
  });
});

describe('judging a front-end sample', () => {
  const good: TipSample = { tipC: -78.4, coldJunctionC: 25, fault: null, atMs: 1_000 };

  it('accepts a sample up to the age limit and calls it stale beyond, naming its age', () => {
    expect(sampleProblem(good, 1_000 + MAX_SAMPLE_AGE_MS)).toBeNull();
    expect(sampleProblem(good, 1_001 + MAX_SAMPLE_AGE_MS)).toBe(`stale reading (${MAX_SAMPLE_AGE_MS + 1} ms old, limit ${MAX_SAMPLE_AGE_MS} ms: the front-end has stopped converting)`);
  });

  it('calls a channel that never reported stale, not a number of ms old', () => {
    expect(sampleProblem({ ...good, tipC: 0, atMs: Number.NEGATIVE_INFINITY }, 1_000)).toMatch(/never updated/);
  });
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
