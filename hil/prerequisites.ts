/**
 * What `npm test` needs beyond node_modules, brought by `npm test` itself (scripts/pretest.mjs,
 * issue 8): the pinned StandardFirmata build for the emulated Uno, socat for the front-end's
 * pseudo-terminal pair, Debian's chromium for the console page's browser tests (issue 9) and
 * Debian's Mosquitto for the telemetry's end-to-end tests (issue 10). When something cannot be brought (no root for apt-get, no network) the
 * run stops before any test with one line naming what is missing and the command that installs
 * it: never a cascade of connection timeouts inside the tests, never a silent skip.
 *
 * Every effect goes through `PrerequisiteDeps`, so the decisions are tested without root, network
 * or changes to the machine (tests/prerequisites.test.ts).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { FirmataFetchError, defaultFirmataCacheDir, ensureFirmataHex, FIRMATA_FILE_NAME } from './uno/firmware.js';
import { projectRoot } from '../kernel/project-root.js';

/** The Debian package and command that provide the pty pair (hil/frontend/pty-pair.ts). */
export const SOCAT_COMMAND = 'socat';
export const SOCAT_PACKAGE = 'socat';
/** Debian's chromium, driven headless by playwright-core in tests/console-page.test.ts. */
export const CHROMIUM_COMMAND = 'chromium';
export const CHROMIUM_PACKAGE = 'chromium';
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';
/** Debian's MQTT broker, started by the telemetry tests on a loopback port with a config of their
 * own (never the package's service). */
export const MOSQUITTO_COMMAND = 'mosquitto';
export const MOSQUITTO_PACKAGE = 'mosquitto';
/** apt-get with no network fails in seconds with these; the default would retry for minutes. */
const APT_OPTIONS = ['-o', 'Acquire::Retries=0', '-o', 'Acquire::http::Timeout=20', '-o', 'Acquire::https::Timeout=20'];
/** Bounds one apt-get call (update or install) on a slow mirror. */
export const APT_TIMEOUT_MS = 300_000;
/** One npm pack attempt, no retries: offline, the run stops in seconds, not after 70 s of retries. */
export const FIRMATA_FETCH_TIMEOUT_MS = 60_000;

export interface CommandResult {
  readonly ok: boolean;
  /** stdout and stderr, for the failure line. */
  readonly output: string;
}

export interface PrerequisiteDeps {
  /** True when this process may install system packages (effective uid 0). */
  isRoot(): boolean;
  /** Absolute path of an executable on PATH, or null. */
  which(command: string): string | null;
  /** Runs a command to completion (no shell). */
  run(command: string, args: readonly string[], timeoutMs: number): Promise<CommandResult>;
  /** Returns the cached StandardFirmata path, fetching it when missing or not the pinned build. */
  ensureFirmata(): Promise<string>;
  /** Progress lines (only when something is being brought). */
  log(line: string): void;
}

/** What could not be brought, and the command that brings it. */
export interface Missing {
  readonly what: string;
  readonly install: string;
}

/** The one line printed when something is missing. */
export function missingLine(missing: readonly Missing[]): string {
  const parts = missing.map((m) => `${m.what}: run \`${m.install}\``);
  return `npm test needs what is not on this machine: ${parts.join('; ')}; then run npm test again`;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim();
}

/** A command from a Debian package: on PATH already, or apt-get installed as root, or the
 * command that installs it. */
export async function bringDebianCommand(deps: PrerequisiteDeps, command: string, pkg: string): Promise<Missing | null> {
  if (deps.which(command) !== null) return null;
  const aptInstall = `apt-get install -y ${pkg}`;
  if (deps.which('apt-get') === null) {
    return { what: `${command} is missing and apt-get is not on PATH (install the package ${pkg} with this system's package manager; on Debian)`, install: aptInstall };
  }
  if (!deps.isRoot()) {
    return { what: `${command} is missing (installing it needs root)`, install: `sudo apt-get update && sudo ${aptInstall}` };
  }
  deps.log(`pretest: ${command} is missing: apt-get update && ${aptInstall}`);
  // A fresh Debian image has no package lists: install fails until update has run.
  const update = await deps.run('apt-get', [...APT_OPTIONS, 'update', '-qq'], APT_TIMEOUT_MS);
  const install = update.ok ? await deps.run('apt-get', [...APT_OPTIONS, 'install', '-y', '-qq', pkg], APT_TIMEOUT_MS) : update;
  if (!install.ok || deps.which(command) === null) {
    const why = install.ok ? `apt-get succeeded but ${command} is still not on PATH` : `apt-get failed: ${lastLine(install.output)}`;
    return { what: `${command} is missing (${why})`, install: `apt-get update && ${aptInstall}` };
  }
  return null;
}

/** socat on PATH; when missing, apt-get install it as root, otherwise say how. */
export function bringSocat(deps: PrerequisiteDeps): Promise<Missing | null> {
  return bringDebianCommand(deps, SOCAT_COMMAND, SOCAT_PACKAGE);
}

/** chromium on PATH, the same way. */
export function bringChromium(deps: PrerequisiteDeps): Promise<Missing | null> {
  return bringDebianCommand(deps, CHROMIUM_COMMAND, CHROMIUM_PACKAGE);
}

/** mosquitto on PATH, the same way. */
export function bringMosquitto(deps: PrerequisiteDeps): Promise<Missing | null> {
  return bringDebianCommand(deps, MOSQUITTO_COMMAND, MOSQUITTO_PACKAGE);
}

/** The pinned StandardFirmata build in .cache/firmata (no network when it is already there). */
export async function bringFirmata(deps: PrerequisiteDeps): Promise<Missing | null> {
  try {
    await deps.ensureFirmata();
    return null;
  } catch (error) {
    const cached = relative(projectRoot(), join(defaultFirmataCacheDir(), FIRMATA_FILE_NAME));
    const why = error instanceof FirmataFetchError ? error.reason : error instanceof Error ? error.message : String(error);
    return { what: `StandardFirmata (${cached}) is missing and could not be fetched (${why})`, install: 'npm run fetch-firmata' };
  }
}

/** Brings everything; returns what is still missing (empty when the tests can run). */
export async function bringTestPrerequisites(deps: PrerequisiteDeps): Promise<Missing[]> {
  const missing: Missing[] = [];
  for (const bring of [bringSocat, bringChromium, bringMosquitto, bringFirmata]) {
    const result = await bring(deps);
    if (result !== null) missing.push(result);
  }
  return missing;
}

/** PATH lookup without a child process. */
export function whichOnPath(command: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Runs a command without a shell; never rejects (a failure is `ok: false` with its output). */
export function runCommand(command: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}${error === null ? '' : `\n${error.message}`}` });
    });
  });
}

/** The real machine: what scripts/pretest.mjs uses. */
export function systemDeps(log: (line: string) => void): PrerequisiteDeps {
  return {
    isRoot: () => process.geteuid?.() === 0,
    which: (command) => whichOnPath(command, process.env.PATH),
    run: runCommand,
    ensureFirmata: () => ensureFirmataHex({ log, fetchRetries: 0, fetchTimeoutMs: FIRMATA_FETCH_TIMEOUT_MS }),
    log,
  };
}
