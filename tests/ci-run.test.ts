// CI runs the README's test command and nothing else (issue 8): whatever the tests need is
// brought by `npm test` itself, so a fresh machine and CI take the same path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ci = readFileSync('.ci/run', 'utf8');
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
/** The script's commands: lines that are not comments (continuations and blocks included). */
const commands = ci.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));

describe('.ci/run', () => {
  it('runs npm ci and then npm test, and no other npm command', () => {
    // npm as a command: at the start of a line or after `if`, `!`, `;`, `&&`, `||` (not inside an echo).
    const npm = commands.flatMap((line) => [...line.matchAll(/(?:^|\bif|[!;&|])\s*npm\s+(?:run\s+)?([a-z-]+)/g)].map((m) => m[1]));
    expect(npm).toEqual(['ci', 'test']);
  });

  it('passes only reporter arguments to npm test', () => {
    const test = commands.filter((line) => /\bnpm test\b/.test(line));
    expect(test).toHaveLength(1);
    expect(test[0]!.trim()).toMatch(/^npm test -- (--reporter=\S+ |--outputFile=\S+ ?)+$/);
  });

  it('sets up nothing the tests need: no package install, no firmware fetch', () => {
    for (const setup of [/apt-get/, /apt\s/, /socat/, /fetch-firmata/, /curl|wget/]) {
      expect(commands.filter((line) => setup.test(line))).toEqual([]);
    }
  });
});

describe('npm test', () => {
  it('brings what the tests need in its pretest step', () => {
    expect(packageJson.scripts.pretest).toBe('node scripts/pretest.mjs');
  });
});
