// Hostile settings and board files, end to end through the CLI: each is refused with one line
// naming the file (exit 2; `boards check` reports it as an invalid board, exit 1), never a hang,
// a memory blow-up or a stack trace.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cryo } from './helpers/cli.js';
import { tempDirForFile } from './helpers/temp.js';

const dir = tempDirForFile('cryo-input-files-');

/** Each hostile input: its file and a fragment of the one line that must name it. */
function hostileFiles(): [what: string, file: string, says: string][] {
  const at = (name: string): string => path.join(dir, name);
  if (!fs.existsSync(at('zero.json'))) {
    fs.symlinkSync('/dev/zero', at('zero.json'));
    execFileSync('mkfifo', [at('fifo.json')]);
    fs.writeFileSync(at('deep.json'), `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
    fs.writeFileSync(at('proto.json'), '{"__proto__": {"polluted": true}}');
    fs.writeFileSync(at('dup.json'), '{"name": "a", "name": "b"}');
    fs.writeFileSync(at('null.json'), 'null');
  }
  return [
    ['a symlink to /dev/zero', at('zero.json'), 'is not a regular file (a device)'],
    ['a FIFO', at('fifo.json'), 'is not a regular file (a FIFO)'],
    ['5000 levels of nesting', at('deep.json'), 'nests 5000 levels deep, more than the 32 allowed'],
    ['a __proto__ key', at('proto.json'), "__proto__: key '__proto__' is not allowed"],
    ['a duplicate key', at('dup.json'), "name: key 'name' appears twice"],
    ['a bare null', at('null.json'), 'must be a JSON object, got null'],
  ];
}


const VERBS: [name: string, args: (file: string) => string[], code: number, prefix: string][] = [
  ['cryo simulate --settings', (f) => ['simulate', '--settings', f, '--json'], 2, 'cryo: '],
  ['cryo run --settings', (f) => ['run', '--settings', f, '--exit-when-done'], 2, 'cryo: '],
  ['cryo run --board', (f) => ['run', '--board', f, '--exit-when-done'], 2, 'cryo: '],
  ['cryo calibrate --board', (f) => ['calibrate', '--probe', 'P1', '--board', f], 2, 'cryo: '],
  ['cryo boards check', (f) => ['boards', 'check', f], 1, ''],
];

describe('hostile input files', () => {
  const cases = VERBS.flatMap(([verb, args, code, prefix]) => hostileFiles().map(([what, file, says]) => [verb, what, args(file), code, `${prefix}${file}: `, says] as const));

  it.each(cases)('%s refuses %s with one line naming the file', async (_verb, _what, args, code, starts, says) => {
    const r = await cryo(args);
    expect(r.code).toBe(code);
    expect(r.err.endsWith('\n')).toBe(true);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err.startsWith(starts)).toBe(true);
    expect(r.err).toContain(says);
    expect(r.out).toBe('');
  });

  // The built program, as an operator runs it: the same one line and no stack trace.
  it.each(hostileFiles())('the cryo process refuses %s as a settings file: exit 2, one line, no stack trace', (_what, file, says) => {
    const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'run', '--settings', file], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(`cryo: ${file}: `)).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(says);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
