import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError, MAX_JSON_INPUT_BYTES, MAX_JSON_INPUT_DEPTH, readJsonInput } from '../kernel/json-input.js';

const dir = mkdtempSync(join(tmpdir(), 'json-input-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problem(path: string): string {
  try {
    readJsonInput(path, 'settings file');
  } catch (err) {
    expect(err).toBeInstanceOf(InputFileError);
    return (err as Error).message;
  }
  throw new Error(`${path} was accepted`);
}

describe('JSON input files', () => {
  it('reads a plain object', () => {
    expect(readJsonInput(file('ok.json', '{"a":{"b":[1,2]}}'), 'settings file')).toEqual({ a: { b: [1, 2] } });
  });

  it('refuses a symlink to /dev/zero as a device, without reading it', () => {
    const link = join(dir, 'zero.json');
    symlinkSync('/dev/zero', link);
    expect(problem(link)).toBe(`${link}: settings file is not a regular file (a device)`);
  });

  it('refuses a FIFO at once instead of waiting for a writer', () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    expect(problem(fifo)).toBe(`${fifo}: settings file is not a regular file (a FIFO)`);
  });

  it('refuses bytes that are not UTF-8, naming the first and where, instead of decoding them as U+FFFD', () => {
    const path = join(dir, 'latin1.json');
    // "sur\xffal": a Latin-1 byte where UTF-8 is expected (offset 15 in the file).
    writeFileSync(path, Buffer.concat([Buffer.from('{"name": "sur'), Buffer.from([0xff]), Buffer.from('al"}')]));
    expect(problem(path)).toBe(`${path}: settings file is not UTF-8 text (byte 0xff at offset 13)`);
  });

  it('names a cut-off UTF-8 sequence after a U+FFFD the file spells out itself', () => {
    const path = join(dir, 'cut.json');
    // A real U+FFFD (EF BF BD, valid) first, then the first two bytes of a three-byte character.
    writeFileSync(path, Buffer.concat([Buffer.from('{"a": "\uFFFD", "b": "'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]));
    expect(problem(path)).toBe(`${path}: settings file is not UTF-8 text (byte 0xe2 at offset 19)`);
  });

  it('reads UTF-8 text that is not ASCII', () => {
    expect(readJsonInput(file('utf8.json', '{"name": "Sérum ✓ \uFFFD"}'), 'settings file')).toEqual({ name: 'Sérum ✓ \uFFFD' });
  });

  it('refuses a directory', () => {
    expect(problem(dir)).toContain('is not a regular file (a directory)');
  });

  it('refuses a file larger than the limit', () => {
    const big = file('big.json', `{"a":"${'x'.repeat(MAX_JSON_INPUT_BYTES)}"}`);
    expect(problem(big)).toMatch(/bytes, more than the 262144 allowed$/);
  });

  it('refuses deep nesting with a message, not a stack overflow', () => {
    const deep = file('deep.json', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    expect(problem(deep)).toBe(`${deep}: settings file nests 10000 levels deep, more than the ${MAX_JSON_INPUT_DEPTH} allowed`);
  });

  it('does not count brackets inside strings as nesting', () => {
    expect(readJsonInput(file('brackets.json', `{"a":"${'[{'.repeat(100)}\\"]"}`), 'settings file')).toHaveProperty('a');
  });

  it('refuses __proto__, constructor and prototype keys, naming their path', () => {
    expect(problem(file('proto.json', '{"tip":{"__proto__":{"staleMs":5000}}}'))).toMatch(/tip\.__proto__: key '__proto__' is not allowed$/);
    expect(problem(file('ctor.json', '{"constructor":{}}'))).toMatch(/constructor: key 'constructor' is not allowed$/);
  });

  it('refuses a duplicate key, naming it', () => {
    expect(problem(file('dup.json', '{"tip":{"staleMs":100,"staleMs":2000}}'))).toMatch(/tip\.staleMs: key 'staleMs' appears twice$/);
  });

  it('allows the same key in sibling objects', () => {
    expect(readJsonInput(file('siblings.json', '{"a":{"x":1},"b":{"x":2}}'), 'settings file')).toEqual({ a: { x: 1 }, b: { x: 2 } });
  });

  it('refuses a bare null, an array or a number at the top level', () => {
    expect(problem(file('null.json', 'null'))).toMatch(/must be a JSON object, got null$/);
    expect(problem(file('array.json', '[]'))).toMatch(/got an array$/);
    expect(problem(file('num.json', '3'))).toMatch(/got number$/);
  });

  it('names a missing file and marks it missing', () => {
    const missing = join(dir, 'nope.json');
    let caught: unknown;
    try {
      readJsonInput(missing, 'settings file');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputFileError);
    expect((caught as InputFileError).missing).toBe(true);
    expect((caught as Error).message).toBe(`${missing}: cannot read settings file: ENOENT`);
  });

  it('names invalid JSON', () => {
    expect(problem(file('bad.json', '{"a":'))).toMatch(/not valid JSON/);
  });
});
