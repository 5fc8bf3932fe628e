// A control step that throws in a running `cryo run` is a crash (a bug, docs/conventions): the
// valves close first, the console shuts down, and it exits with the crash status, 70, naming the
// error, as the fail-safe's crash path does.
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import { SimHal } from '../hil/sim/index.js';
import { ConsoleError } from '../src/cli/errors.js';
import { runConsole } from '../src/cli/run.js';
import { step } from '../src/controller/step.js';
import { CRASH_EXIT_CODE } from '../src/runtime/failsafe.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { tempDirMaker } from './helpers/temp.js';

const newDataDir = tempDirMaker('cryo-step-crash-');

/** Ticks the gas path stays open before the broken step throws: the valves are open on the board. */
const OPEN_TICKS_BEFORE_THROW = 10;

afterEach(() => {
  vi.restoreAllMocks();
});

/** The real step, until the gas path has been open for OPEN_TICKS_BEFORE_THROW ticks; then it throws. */
function throwsMidFreeze(): { step: StepFunction; openTicks: () => number } {
  let openTicks = 0;
  const broken: StepFunction = (...args) => {
    if (openTicks >= OPEN_TICKS_BEFORE_THROW) throw new Error('injected step bug');
    const result = step(...args);
    if (result.outputs.supplyValveOpen && result.outputs.safetyValveOpen) openTicks += 1;
    return result;
  };
  return { step: broken, openTicks: () => openTicks };
}

describe('a control step that throws in cryo run', () => {
  it('closes the valves, shuts the console down and fails with the crash status naming the error', async () => {
    const close = vi.spyOn(SimHal.prototype, 'close');
    let log = '';
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const stdout = new PassThrough();
    stdout.resume();
    const broken = throwsMidFreeze();
    const run = runConsole({ board: 'boards/sim.json', dataDir: newDataDir(), autoStart: true, speed: '100', web: false, records: false }, { stdin: new PassThrough(), stdout, stderr: logs }, { step: broken.step });
    const err: unknown = await run.then(
      () => null,
      (e: unknown) => e,
    );
    // The throw came with gas flowing on the simulated board.
    expect(broken.openTicks()).toBe(OPEN_TICKS_BEFORE_THROW);
    expect(err).toBeInstanceOf(ConsoleError);
    expect(err).toMatchObject({ exitCode: CRASH_EXIT_CODE, message: expect.stringContaining('injected step bug') as unknown });
    // The board was closed (the shutdown ran) with its outputs in the safe state: both valve coils
    // off. (The simulated seats follow their coils in simulated time, which stops with the loop.)
    expect(close).toHaveBeenCalledTimes(1);
    const hal = close.mock.contexts[0] as SimHal;
    expect(hal.lastOutputs).toEqual(SAFE_OUTPUTS);
    expect(log).toContain('control step failed: outputs put in the safe state');
    expect(log).toContain('injected step bug');
  });
});
