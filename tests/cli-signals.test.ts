// Signals sent to a running `cryo run` (the built program on the simulated board): every signal
// that would end the process puts the valves in the safe state first; SIGUSR1 never opens Node's
// debugger port; a treatment cut short by a signal exits 3.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDirForFile } from './helpers/temp.js';
import { EXIT_INTERRUPTED } from '../src/cli/errors.js';
import { STOP_SIGNALS } from '../src/runtime/failsafe.js';

const CLI = 'dist/src/cli/main.js';
const env = { ...process.env, CRYO_DATA_DIR: tempDirForFile('cryo-signals-') };

interface Console {
  readonly child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Resolves with the first of `texts` to appear on stderr. */
  waitFor(...texts: string[]): Promise<string>;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node [nodeArgs] cryo run --board boards/sim.json [args]`, its stderr collected. */
function startConsole(args: string[] = [], nodeArgs: string[] = []): Console {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'run', '--board', 'boards/sim.json', '--no-web', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  const waiters: { texts: string[]; resolve: (t: string) => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      const found = w.texts.find((t) => stderr.includes(t));
      if (found !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  });
  return {
    child,
    stderr: () => stderr,
    waitFor: (...texts) =>
      new Promise((resolve, reject) => {
        const found = texts.find((t) => stderr.includes(t));
        if (found !== undefined) resolve(found);
        else waiters.push({ texts, resolve });
        void exited.then(() => {
          reject(new Error(`cryo exited before printing any of ${JSON.stringify(texts)}:\n${stderr}`));
        });
      }),
    exit: () => exited,
  };
}

/** TCP ports the process `pid` is listening on (Linux: its socket inodes in /proc/net/tcp{,6}). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // The descriptor closed between the listing and the read.
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      // State 0A is LISTEN.
      if (local !== undefined && state === '0A' && inode !== undefined && inodes.has(inode)) ports.push(parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

const READY = 'console ready';
const TREATMENT_STARTED = 'phase Idle -> SelfTest';

describe('signals sent to cryo run', () => {
  it.each(STOP_SIGNALS.map((s) => [s]))('puts the outputs in the safe state and exits 0 on %s with no treatment under way', async (sig) => {
    const c = startConsole();
    await c.waitFor(READY);
    c.child.kill(sig);
    const { code, signal } = await c.exit();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(c.stderr()).toContain(`${sig}: outputs put in the safe state`);
    expect(c.stderr()).toContain('console stopped: outputs in the safe state');
  });

  it('exits 3 with the outputs in the safe state when a signal ends a treatment under way', async () => {
    const c = startConsole(['--auto-start']);
    await c.waitFor(TREATMENT_STARTED);
    c.child.kill('SIGHUP');
    const { code } = await c.exit();
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(c.stderr()).toContain('SIGHUP: outputs put in the safe state');
    expect(c.stderr()).toContain('console stopped during a treatment');
  });

  // Stop 22's review: SIGALRM (like SIGXCPU, SIGPROF and others) killed the console mid-freeze
  // with no safe state and no log; SIGTSTP would have suspended it with its valves as they were.
  it.each([['SIGALRM'], ['SIGTSTP']] as const)('exits 3 with the outputs in the safe state when %s ends a treatment under way', async (sig) => {
    const c = startConsole(['--auto-start']);
    await c.waitFor(TREATMENT_STARTED);
    c.child.kill(sig);
    const { code, signal } = await c.exit();
    expect({ code, signal }).toEqual({ code: EXIT_INTERRUPTED, signal: null });
    expect(c.stderr()).toContain(`${sig}: outputs put in the safe state`);
    expect(c.stderr()).toContain('console stopped during a treatment');
  });

  it('exits 3 when the q key ends a treatment under way', async () => {
    const c = startConsole(['--auto-start']);
    await c.waitFor(TREATMENT_STARTED);
    c.child.stdin.end('q');
    const { code } = await c.exit();
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(c.stderr()).toContain('console stopped: outputs in the safe state');
  });

  it('does not open the debugger port on SIGUSR1 and keeps running', async () => {
    // --inspect-port=0: if the inspector did open, it would pick a free port and say so on stderr.
    const c = startConsole([], ['--inspect-port=0']);
    await c.waitFor(READY);
    c.child.kill('SIGUSR1');
    const seen = await c.waitFor('SIGUSR1 ignored', 'Debugger listening');
    expect(seen).toBe('SIGUSR1 ignored');
    expect(listeningPorts(c.child.pid ?? -1)).toEqual([]);
    c.child.stdin.end('q');
    const { code } = await c.exit();
    expect(code).toBe(0);
    expect(c.stderr()).not.toContain('Debugger listening');
  });
});
