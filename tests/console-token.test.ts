// The console token (issue 9): created at first use with mode 0600, compared in constant time,
// rotated by `cryo token --rotate`; the rate limiter's bucket in virtual time.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runToken } from '../src/cli/token.js';
import { RATE_BURST_MESSAGES, RATE_MESSAGES_PER_S, TokenBucket } from '../src/console/server/rate.js';
import { TOKEN_FILE_MODE, readOrCreateToken, rotateToken, tokenPath, tokensEqual } from '../src/console/server/token.js';
import { tempDirMaker } from './helpers/temp.js';

const newDir = tempDirMaker('console-token-');

describe('the console token', () => {
  it('is created at first use with mode 0600 and read back unchanged', () => {
    const dir = join(newDir(), 'data');
    const token = readOrCreateToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(tokenPath(dir)).mode & 0o777).toBe(TOKEN_FILE_MODE);
    expect(readOrCreateToken(dir)).toBe(token);
  });

  it('is replaced by a rotation, still 0600', () => {
    const dir = newDir();
    const old = readOrCreateToken(dir);
    const rotated = rotateToken(dir);
    expect(rotated).not.toBe(old);
    expect(readOrCreateToken(dir)).toBe(rotated);
    expect(statSync(tokenPath(dir)).mode & 0o777).toBe(TOKEN_FILE_MODE);
  });

  it('tightens a copy restored with a looser mode', () => {
    const dir = newDir();
    readOrCreateToken(dir);
    chmodSync(tokenPath(dir), 0o644);
    readOrCreateToken(dir);
    expect(statSync(tokenPath(dir)).mode & 0o777).toBe(TOKEN_FILE_MODE);
  });

  // The built program in a child with a deadline: before the fix, reading the FIFO waited for a
  // writer for ever (a synchronous read no test timeout can interrupt in this process).
  it('refuses a FIFO in place of the token at once, naming it, instead of waiting for a writer', () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [tokenPath(dir)]);
    const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'token', '--data-dir', dir], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cryo: ${tokenPath(dir)}: console token is not a regular file (a FIFO)\n`);
  });

  it('refuses a file that holds no token, naming the file, rather than replacing it', () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(tokenPath(dir), 'short\n');
    expect(() => readOrCreateToken(dir)).toThrow(/console-token: not a console token.*cryo token --rotate/);
    expect(readFileSync(tokenPath(dir), 'utf8')).toBe('short\n');
  });

  it('compares equal tokens equal and any difference, including length, unequal', () => {
    const t = 'a'.repeat(43);
    expect(tokensEqual(t, t)).toBe(true);
    expect(tokensEqual(`${t.slice(0, 42)}b`, t)).toBe(false);
    expect(tokensEqual(t.slice(0, 42), t)).toBe(false);
    expect(tokensEqual(`${t}a`, t)).toBe(false);
    expect(tokensEqual('', t)).toBe(false);
  });
});

describe('cryo token', () => {
  it('prints the token, and a new one with --rotate', () => {
    const dir = newDir();
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(`E:${t}`) };
    runToken({ dataDir: dir }, io);
    const first = out[0]!.trim();
    expect(first).toBe(readOrCreateToken(dir));
    runToken({ dataDir: dir, rotate: true }, io);
    expect(out[1]!.trim()).not.toBe(first);
    expect(out[1]!.trim()).toBe(readOrCreateToken(dir));
    expect(out[2]).toMatch(/^E:.*new console token/);
  });
});

describe('the rate limiter', () => {
  it('allows a burst, then refuses until time refills it at the sustained rate', () => {
    const bucket = new TokenBucket(0);
    for (let i = 0; i < RATE_BURST_MESSAGES; i++) expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    const oneTokenMs = 1000 / RATE_MESSAGES_PER_S;
    expect(bucket.take(oneTokenMs - 1)).toBe(false);
    expect(bucket.take(oneTokenMs)).toBe(true);
    expect(bucket.take(oneTokenMs)).toBe(false);
  });

  it('never holds more than the burst after a long quiet time', () => {
    const bucket = new TokenBucket(0);
    let allowed = 0;
    while (bucket.take(3_600_000)) allowed++;
    expect(allowed).toBe(RATE_BURST_MESSAGES);
  });
});
