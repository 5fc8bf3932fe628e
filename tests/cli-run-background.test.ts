// `cryo run` started as a background job of its terminal refuses to start (exit 2, one line
// saying what to do) instead of being suspended by the kernel at its first terminal mode change
// with its board open. Its foreground and redirected runs start as before.
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirForFile } from './helpers/temp.js';
import { EXIT_USAGE } from '../src/cli/errors.js';
import { BACKGROUND_REFUSAL } from '../src/cli/run.js';
import { statTerminal, terminalJob } from '../src/cli/terminal-job.js';
import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main.js';
import type { TerminalJob } from '../src/cli/terminal-job.js';

const CLI = path.resolve('dist/src/cli/main.js');
const BOARD = path.resolve('boards/sim.json');
/** util-linux's `script` gives the shell below a terminal of its own (a pseudo-terminal). */
const SCRIPT = '/usr/bin/script';
/** A refused console exits at once; a suspended one never would. */
const JOB_TIMEOUT_MS = 30_000;

/** /proc/PID/stat as proc(5) lays it out: pid (comm) state ppid pgrp session tty_nr tpgid ... */
const stat = (comm: string, pgrp: number, tpgid: number): string => `4242 (${comm}) S 4000 ${pgrp} 4000 34816 ${tpgid} 4194560 120 0 0 0`;

const terminalJobFromStat = (text: string): string => statTerminal(text).job;

describe('statTerminal', () => {
  it("reads the controlling terminal's device number (tty_nr)", () => {
    expect(statTerminal(stat('node', 4242, 4100))).toEqual({ job: 'background', ttyNr: 34816 });
  });

  it('is foreground when the terminal foreground group is the process group', () => {
    expect(terminalJobFromStat(stat('node', 4242, 4242))).toBe('foreground');
  });
  it('is background when another group holds the terminal', () => {
    expect(terminalJobFromStat(stat('node', 4242, 4100))).toBe('background');
  });
  it('is foreground with no controlling terminal (tpgid -1)', () => {
    expect(terminalJobFromStat(stat('node', 4242, -1))).toBe('foreground');
  });
  it('reads past a command name holding spaces and parentheses', () => {
    expect(terminalJobFromStat(stat('cryo (run) x', 4242, 4100))).toBe('background');
    expect(terminalJobFromStat(stat(') 1 2 3 4 5 6', 4242, 4242))).toBe('foreground');
  });
  it('is unknown for text it cannot read, and when the file cannot be read', () => {
    expect(terminalJobFromStat('')).toBe('unknown');
    expect(terminalJobFromStat('4242 (node) S x y')).toBe('unknown');
    expect(
      terminalJob(() => {
        throw new Error('ENOENT');
      }),
    ).toBe('unknown');
  });
  it('is background only when a standard stream is on the controlling terminal (tty_nr), not on another one', () => {
    const background = stat('node', 4242, 4100);
    // tty_nr in the stat line above is 34816 (/dev/pts/0).
    expect(terminalJob(() => background, () => [0, 34816, 0])).toBe('background');
    expect(terminalJob(() => background, () => [0, 34817, 34817])).toBe('foreground');
    expect(terminalJob(() => background, () => [0, 0, 0])).toBe('foreground');
    expect(terminalJob(() => stat('node', 4242, 4242), () => [34816, 34816, 34816])).toBe('foreground');
  });

  it("reads this process's own file on Linux", () => {
    // The test runner is no background job of a terminal that stops it.
    expect(['foreground', 'unknown']).toContain(terminalJob());
  });
});

/** `cryo ARGS` in this process, its terminal input a TTY and its job place as given. */
async function runAsTerminalJob(args: string[], job: TerminalJob): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const logs = new PassThrough();
  logs.on('data', (d: Buffer) => (stderr += d.toString()));
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const code = await main(args, {
    stdout: () => undefined,
    stderr: (t) => void (stderr += t),
    console: { stdin, stdout: logs, stderr: logs, terminalJob: () => job },
  });
  return { code, stderr };
}

describe('cryo run as a terminal job', () => {
  it('refuses in the background of a terminal, naming what to do, before the board is opened', async () => {
    const dataDir = tempDirForFile('cryo-bg-');
    const r = await runAsTerminalJob(['run', '--board', BOARD, '--no-web', '--data-dir', dataDir], 'background');
    rmSync(dataDir, { recursive: true, force: true });
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(BACKGROUND_REFUSAL);
    expect(r.stderr).not.toContain('console ready');
  });

  /** `shellLine` run by a shell with job control on (`set -m`, as in an interactive shell) in a
   * pseudo-terminal of its own, `$CRYO` standing for `cryo run` on the simulated board. */
  function asJob(shellLine: string): Promise<{ output: string; timedOut: boolean }> {
    const dir = tempDirForFile('cryo-bg-');
    const shellFile = path.join(dir, 'job.sh');
    writeFileSync(shellFile, `set -m\n${shellLine}\n`);
    const done = (result: { output: string; timedOut: boolean }): { output: string; timedOut: boolean } => {
      rmSync(dir, { recursive: true, force: true });
      return result;
    };
    return new Promise((resolve) => {
      const child = spawn(SCRIPT, ['-qec', `bash ${shellFile}`, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, LOG: path.join(dir, 'cryo.log'), CRYO: `${process.execPath} ${CLI} run --board ${BOARD} --no-web --no-realtime --data-dir ${path.join(dir, 'data')}` },
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(done({ output, timedOut: true }));
      }, JOB_TIMEOUT_MS);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve(done({ output, timedOut: false }));
      });
    });
  }

  it.skipIf(!existsSync(SCRIPT))('refuses as a real background job (&), exit 2, instead of being suspended', async () => {
    const { output, timedOut } = await asJob('$CRYO & wait $!; echo "job exit $?"');
    expect(timedOut, output).toBe(false);
    expect(output).toContain(BACKGROUND_REFUSAL);
    expect(output).toContain(`job exit ${EXIT_USAGE}`);
  }, JOB_TIMEOUT_MS + 5_000);

  it.skipIf(!existsSync(SCRIPT))('starts in the background with its input and output redirected (nothing to or from the terminal)', async () => {
    // SIGTERM once it says it is ready, not after a fixed time: before its fail-safe is installed a
    // SIGTERM ends it by the default action (no safe-state line, exit 143), and a loaded machine
    // can take longer than any fixed sleep to get there. Polled while it runs, for up to 25 s.
    const { output, timedOut } = await asJob(
      '$CRYO < /dev/null > "$LOG" 2>&1 & pid=$!; ' +
        'for i in $(seq 250); do grep -q "console ready" "$LOG" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done; ' +
        'kill -TERM $pid; wait $pid; echo "job exit $?"; cat "$LOG"',
    );
    expect(timedOut, output).toBe(false);
    expect(output).not.toContain(BACKGROUND_REFUSAL);
    expect(output).toContain('SIGTERM: outputs put in the safe state');
    expect(output).toContain('job exit 0');
  }, JOB_TIMEOUT_MS + 5_000);

  it.skipIf(!existsSync(SCRIPT))('refuses in the background with only its output on the terminal (stty tostop would suspend it there)', async () => {
    const { output, timedOut } = await asJob('$CRYO < /dev/null & wait $!; echo "job exit $?"');
    expect(timedOut, output).toBe(false);
    expect(output).toContain(BACKGROUND_REFUSAL);
    expect(output).toContain(`job exit ${EXIT_USAGE}`);
  }, JOB_TIMEOUT_MS + 5_000);
});
