import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { silentLogger } from '../kernel/log.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { CRASH_EXIT_CODE } from '../src/runtime/failsafe.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { RecordingHal, nominalHalReadings } from './helpers/recording-hal.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-process-');

const nominal = nominalHalReadings;

describe('ControlLoop', () => {
  it('puts the HAL in its safe state at start-up, before any read or write', () => {
    const hal = new RecordingHal((n) => nominal(n * 20));
    new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: SIM_PROBE_CALIBRATION });
    expect(hal.calls).toEqual(['safe']);
  });

  it('puts the HAL in its safe state and rethrows when a step throws', () => {
    const hal = new RecordingHal(() => {
      throw new Error('sensor bus exploded');
    });
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: SIM_PROBE_CALIBRATION });
    expect(() => loop.tick(20)).toThrow('sensor bus exploded');
    expect(hal.calls.at(-1)).toBe('safe');
  });

  it('calls toSafeState in the tick an interlock trips, then writes closed valves', () => {
    const hal = new RecordingHal((n) => nominal(n * 20, n >= 1 ? { halFault: 'serial front-end lost' } : {}));
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: SIM_PROBE_CALIBRATION });
    loop.tick(0);
    const result = loop.tick(20);
    expect(result.events.some((e) => e.kind === 'trip' && e.id === 'HAL_FAULT')).toBe(true);
    expect(hal.calls.slice(-3)).toEqual(['read', 'safe', 'write']);
    expect(hal.written.at(-1)?.supplyValveOpen).toBe(false);
    expect(hal.written.at(-1)?.safetyValveOpen).toBe(false);
  });

  it('writes the safe outputs on a quiet idle tick', () => {
    const hal = new RecordingHal((n) => nominal(n * 20));
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: SIM_PROBE_CALIBRATION });
    const { outputs } = loop.tick(0);
    expect(outputs.supplyValveOpen).toBe(SAFE_OUTPUTS.supplyValveOpen);
    expect(outputs.safetyValveOpen).toBe(SAFE_OUTPUTS.safetyValveOpen);
  });
});

const CLI = 'dist/src/cli/main.js';
const env = { ...process.env, CRYO_DATA_DIR: newTempDir() };

// These run the built program (npm test builds before it runs vitest).
describe('the cryo process', () => {
  it('puts the outputs in the safe state and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--board', 'boards/sim.json', '--no-web'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (stderr.includes('console ready')) resolve();
      };
      child.stderr.on('data', check);
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('SIGTERM: outputs put in the safe state');
    expect(stderr).toContain('console stopped: outputs in the safe state');
  });

  it('quits on the q key with the outputs in the safe state', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--board', 'boards/sim.json', '--no-web'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('console ready') && !child.stdin.writableEnded) child.stdin.end('q');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('console stopped: outputs in the safe state');
  });
});

function crashScript(how: string): string {
  return `
    import { installFailsafe } from './dist/src/runtime/failsafe.js';
    import { silentLogger } from './dist/kernel/log.js';
    const hal = { toSafeState() { process.stdout.write('SAFE\\n'); } };
    installFailsafe(hal, silentLogger(), () => {});
    ${how}
  `;
}

describe('the fail-safe handlers', () => {
  it.each([
    ['an uncaught exception', "setTimeout(() => { throw new Error('boom'); }, 1);"],
    ['an unhandled rejection', "Promise.reject(new Error('boom'));"],
  ])('put the outputs in the safe state and exit 70 on %s', async (_name, how) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', crashScript(how)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stdout).toContain('SAFE');
    expect(code).toBe(70);
  });
});

/** A back-end whose safe state leaves asynchronously, as a serial board's writes do (hal/firmata):
 * it prints WRITTEN only if the process still runs 20 ms after toSafeState. */
function drainingCrashScript(how: string, onStop = '', logger = 'silentLogger()'): string {
  return `
    import { installFailsafe } from './dist/src/runtime/failsafe.js';
    import { silentLogger } from './dist/kernel/log.js';
    let queued = false;
    const hal = { toSafeState() { if (!queued) { queued = true; setTimeout(() => process.stdout.write('WRITTEN\\n'), 20); } } };
    const failsafe = installFailsafe(hal, ${logger}, (cause) => { process.stdout.write('STOP ' + cause + '\\n'); ${onStop} });
    ${how}
  `;
}

describe('a crash on a back-end that writes asynchronously', () => {
  it.each([
    ['an uncaught exception', "setTimeout(() => { throw new Error('boom'); }, 1);"],
    ['an unhandled rejection', "Promise.reject(new Error('boom'));"],
    ['a second exception while exiting', "setTimeout(() => { throw new Error('boom'); }, 1); setTimeout(() => { throw new Error('again'); }, 5);"],
    // As cryo run's shutdown does on its way out (runConsole's finally), before a later failure
    // (the second review of stop 22: Node's default then exited 1 at once).
    ['a second exception after the shutdown disposed the handlers', "setTimeout(() => { throw new Error('boom'); }, 1); setTimeout(() => { throw new Error('again'); }, 50);", 'setTimeout(() => failsafe.dispose(), 10);'],
    // A logger that throws must not skip the stop or the wait (the second review of stop 22).
    ['a logger that throws', "setTimeout(() => { throw new Error('boom'); }, 1);", '', "{ fatal() { throw new Error('the log broke'); }, info() {}, warn() {} }"],
  ])('stops the loop, lets the safe state reach the board, then exits 70 (%s)', async (_name, how, onStop = '', logger = 'silentLogger()') => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', drainingCrashScript(how, onStop, logger)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Stopped once (a second failure only logs), and the write went out before the exit.
    expect(stdout).toBe('STOP crash\nWRITTEN\n');
    expect(code).toBe(CRASH_EXIT_CODE);
  });
});

describe('the control step on a broken clock', () => {
  it('throws on a non-finite time, and the loop puts the HAL in its safe state', () => {
    const hal = new RecordingHal((n) => nominal(n * 20));
    const loop = new ControlLoop({ hal, settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration: SIM_PROBE_CALIBRATION });
    loop.tick(0);
    expect(() => loop.tick(Number.NaN)).toThrow(/not a finite number/);
    expect(hal.calls.at(-1)).toBe('safe');
  });
});
