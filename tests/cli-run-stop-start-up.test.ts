// A stop signal that arrives while `cryo run` is still starting (the failsafe handlers are
// installed, the control loop has not begun) skips the loop: no tick runs on the board, the
// outputs stay safe and the console exits as a signal does when idle.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimHal } from '../hil/sim/index.js';
import { EXIT_OK } from '../src/cli/errors.js';
import { main } from '../src/cli/main.js';
import type { MainIo } from '../src/cli/main.js';
import { SESSION_CLOSE_MAX_MS } from '../src/cli/run.js';
import { tempDirMaker } from './helpers/temp.js';

const newDataDir = tempDirMaker('cryo-stop-start-up-');

/** Logged by start-up just before it awaits the simulated probe's calibration (src/cli/run.ts). */
const AUTO_CALIBRATING = 'calibrating it on the simulated baths';
/** A stop signal (STOP_SIGNALS) the test process itself has no other listener for. */
const SIGNAL: NodeJS.Signals = 'SIGUSR2';
/** Less than the console's 20 s connect timeout, with room for a loaded machine. */
const CONNECT_TIMEOUT_BOUND_MS = 10_000;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A log destination that delivers SIGNAL to the console's handlers, in-process, the moment
 * `text` is logged: while the start-up step that follows that line is still under way. */
function stopWhenLogged(text: string): { stream: Writable; log: () => string } {
  let log = '';
  let sent = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString();
      if (!sent && log.includes(text)) {
        sent = true;
        process.emit(SIGNAL, SIGNAL);
      }
      done();
    },
  });
  return { stream, log: () => log };
}

/** `cryo ARGS` in this process, SIGNAL delivered the moment `text` is logged; its exit status and log. */
async function runStoppedWhenLogged(text: string, args: string[]): Promise<{ code: number; log: string }> {
  const logs = stopWhenLogged(text);
  const stdout = new PassThrough();
  stdout.resume();
  const io: MainIo = { stdout: () => undefined, stderr: () => undefined, console: { stdin: new PassThrough(), stdout, stderr: logs.stream } };
  const code = await main(args, io);
  return { code, log: logs.log() };
}

describe('a stop signal during start-up', () => {
  it('skips the control loop, writes no outputs but the safe ones and exits 0', async () => {
    // Calls through to the simulated board: only records what was written.
    const write = vi.spyOn(SimHal.prototype, 'write');
    // --auto-start: a loop entered after the stop would press start in its first tick (SelfTest).
    const { code, log } = await runStoppedWhenLogged(AUTO_CALIBRATING, ['run', '--board', 'boards/sim.json', '--no-web', '--no-realtime', '--auto-start', '--data-dir', newDataDir()]);
    expect(log).toContain(`${SIGNAL}: outputs put in the safe state`);
    // The loop never began: no ready line, no phase change, no loop timing (logged by every run of it).
    expect(log).not.toContain('console ready');
    expect(log).not.toContain('phase Idle');
    expect(log).not.toContain('loop timing');
    const written = write.mock.calls.map(([outputs]) => outputs);
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((o) => o.supplyValveOpen || o.safetyValveOpen)).toEqual([]);
    expect(code).toBe(EXIT_OK);
    expect(log).toContain('console stopped during start-up, before the control loop ran: outputs in the safe state');
  });

  it('ends the wait for a board that never connects at once, exit 0, not after the 20 s connect timeout (69)', async () => {
    // The Uno's board file with ports that do not exist: the board never reports in.
    const dir = newDataDir();
    const board = JSON.parse(readFileSync('boards/arduino-uno.json', 'utf8')) as { firmata: { port: string | null }; frontend: { port: string } };
    board.firmata.port = path.join(dir, 'no-such-port-a');
    board.frontend.port = path.join(dir, 'no-such-port-b');
    const boardFile = path.join(dir, 'uno-missing.json');
    writeFileSync(boardFile, JSON.stringify(board));
    const startedMs = Date.now();
    const { code, log } = await runStoppedWhenLogged('connecting to the board', ['run', '--board', boardFile, '--no-web', '--no-realtime', '--data-dir', path.join(dir, 'data')]);
    expect(code).toBe(EXIT_OK);
    expect(log).toContain('console stopped during start-up, before the control loop ran: outputs in the safe state');
    expect(log).not.toContain('did not connect');
    // Well inside the connect timeout (20 s): the wait ended at its next poll.
    expect(Date.now() - startedMs).toBeLessThan(CONNECT_TIMEOUT_BOUND_MS);
  }, 30_000);

  it("keeps the fail-safe's signal handlers while the board closes (a second signal then is still a stop, not Node's default exit)", async () => {
    const before = process.listenerCount(SIGNAL);
    let duringClose = -1;
    const original = Object.getOwnPropertyDescriptor(SimHal.prototype, 'close')?.value as (this: SimHal) => Promise<void>;
    vi.spyOn(SimHal.prototype, 'close').mockImplementation(function (this: SimHal) {
      duringClose = process.listenerCount(SIGNAL);
      return original.call(this);
    });
    const { code } = await runStoppedWhenLogged(AUTO_CALIBRATING, ['run', '--board', 'boards/sim.json', '--no-web', '--no-realtime', '--data-dir', newDataDir()]);
    expect(code).toBe(EXIT_OK);
    expect(duringClose).toBeGreaterThan(before);
    expect(process.listenerCount(SIGNAL)).toBe(before);
  });

  it(`shuts down without a board whose close never ends, after ${SESSION_CLOSE_MAX_MS} ms, with a warning`, async () => {
    vi.spyOn(SimHal.prototype, 'close').mockImplementation(() => new Promise<void>(() => undefined));
    const { code, log } = await runStoppedWhenLogged(AUTO_CALIBRATING, ['run', '--board', 'boards/sim.json', '--no-web', '--no-realtime', '--data-dir', newDataDir()]);
    expect(code).toBe(EXIT_OK);
    expect(log).toContain(`the board did not close within ${SESSION_CLOSE_MAX_MS} ms: shutting down without it`);
  }, 10_000);
});
