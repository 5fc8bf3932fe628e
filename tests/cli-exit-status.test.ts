// The `cryo` entry point's exit status for an error no verb expected (src/cli/main.ts,
// exitStatusOf): a crash exits 70 with its stack, as the README's exit table says, not 1 (the
// status of a file or folder the system refused).
import { describe, expect, it } from 'vitest';
import { exitStatusOf } from '../src/cli/main.js';
import { EXIT_SYSTEM } from '../src/cli/errors.js';
import { CRASH_EXIT_CODE } from '../src/runtime/failsafe.js';
import { spawnCryo } from './helpers/cryo-process.js';

/** Loaded before the built `cryo`: its stdout throws on the first write (a bug no verb expects). */
const STDOUT_THROWS = "data:text/javascript,process.stdout.write=()=>{throw%20new%20Error('injected:%20stdout%20throws')}";
const EXIT_WITHIN_MS = 30_000;

function capture() {
  const lines: string[] = [];
  return { io: { stderr: (text: string) => void lines.push(text) }, text: () => lines.join('') };
}

describe('cryo exit status', () => {
  it('passes main\'s own status through and writes nothing', async () => {
    const c = capture();
    expect(await exitStatusOf(Promise.resolve(3), c.io)).toBe(3);
    expect(await exitStatusOf(Promise.resolve(0), c.io)).toBe(0);
    expect(c.text()).toBe('');
  });

  it('exits 70 with the stack for an error that escaped main, never the system-error status 1', async () => {
    const c = capture();
    const status = await exitStatusOf(Promise.reject(new TypeError('cannot read properties of undefined (reading "tipC")')), c.io);
    expect(status).toBe(CRASH_EXIT_CODE);
    expect(status).not.toBe(EXIT_SYSTEM);
    expect(c.text()).toMatch(/^cryo: TypeError: cannot read properties of undefined \(reading "tipC"\)\n {4}at /);
  });

  it('exits 70 for a thrown value that is not an Error, naming it', async () => {
    const c = capture();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    expect(await exitStatusOf(Promise.reject('a string'), c.io)).toBe(CRASH_EXIT_CODE);
    expect(c.text()).toBe('cryo: a string\n');
  });

  it('the built cryo exits 70 with the stack when its output throws (the entry point uses exitStatusOf)', async () => {
    const cryo = spawnCryo(['co2', '--help'], { ...process.env, NODE_OPTIONS: `--import=${STDOUT_THROWS}` });
    const exit = await cryo.exitWithin('the exit', EXIT_WITHIN_MS);
    expect(exit).toEqual({ code: CRASH_EXIT_CODE, signal: null });
    expect(cryo.log()).toMatch(/^cryo: Error: injected: stdout throws\n {4}at /);
  });
});
