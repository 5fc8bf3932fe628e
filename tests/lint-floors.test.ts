// The floors (docs/architecture.md) are enforced by lint: `npx eslint .` fails on a file that
// imports up a floor, and on Node, clock or randomness inside src/controller/. Each case lints a
// real file of the floor with one offending line added, through the project's own eslint config.
import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';
import { CONTROLLER_MAX_DEPTH } from '../eslint.floors.js';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (result === undefined) throw new Error(`eslint returned no result for ${filePath}`);
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals' || m.ruleId === 'no-restricted-properties' || m.ruleId === 'floors/no-upward-import')
    .map((m) => `${m.ruleId ?? ''}: ${m.message}`);
}

/** A file on each floor, and an import of each floor above it as written from that file. */
const UPWARD: readonly { file: string; imports: readonly string[] }[] = [
  { file: 'kernel/assert.ts', imports: ['../hal/contract.js', '../calibration/fit.js', '../hil/faults.js', '../src/board.js'] },
  { file: 'kernel/scheduler/core.ts', imports: ['../../hal/contract.js', '../../src/runtime/loop.js'] },
  { file: 'hal/contract.ts', imports: ['../calibration/fit.js', '../hil/faults.js', '../src/board.js'] },
  { file: 'hal/firmata/board.ts', imports: ['../../calibration/fit.js', '../../hil/faults.js', '../../src/runtime/loop.js'] },
  { file: 'calibration/fit.ts', imports: ['../hil/faults.js', '../src/controller/step.js'] },
  { file: 'calibration/procedure/measure.ts', imports: ['../../hil/sim/sampler.js', '../../src/board.js'] },
  { file: 'hil/faults.ts', imports: ['../src/controller/step.js', '../src/runtime/loop.js'] },
  { file: 'hil/plant/plant.ts', imports: ['../../src/controller/settings.js'] },
];

describe('lint keeps the floors', () => {
  for (const { file, imports } of UPWARD) {
    for (const spec of imports) {
      it(`refuses ${spec} in ${file}`, async () => {
        const messages = await restrictedMessages(file, `import '${spec}';\nexport {};\n`);
        expect(messages.join('\n')).toMatch(/no-restricted-imports: .*must not import/);
      });
    }
  }

  it('accepts imports down the floors (the same files, importing below themselves)', async () => {
    expect(await restrictedMessages('hal/contract.ts', "import '../kernel/assert.js';\nexport {};\n")).toEqual([]);
    expect(await restrictedMessages('calibration/fit.ts', "import '../hal/contract.js';\nimport '../kernel/co2.js';\nexport {};\n")).toEqual([]);
    expect(await restrictedMessages('hil/faults.ts', "import '../calibration/fit.js';\nimport '../hal/contract.js';\nexport {};\n")).toEqual([]);
    expect(await restrictedMessages('src/board.ts', "import '../hil/faults.js';\nimport '../calibration/fit.js';\nexport {};\n")).toEqual([]);
  });
});

describe('lint keeps src/controller/ free of Node', () => {
  const file = 'src/controller/step.ts';
  const offending: readonly [string, RegExp][] = [
    ["import 'node:fs';", /no-restricted-imports/],
    ["import 'fs';", /no-restricted-imports/],
    ["import '../runtime/loop.js';", /no-restricted-imports/],
    ["import '../../kernel/json-file.js';", /no-restricted-imports/],
    ["import '../../hil/faults.js';", /no-restricted-imports/],
    ['export const t = Date.now();', /no-restricted-globals: .*Date/],
    ['export const p = process.pid;', /no-restricted-globals: .*process/],
    ['console.log(1);', /no-restricted-globals: .*console/],
    ['setTimeout(() => undefined, 1);', /no-restricted-globals: .*setTimeout/],
    ['export const r = Math.random();', /no-restricted-properties: .*random/],
  ];
  for (const [line, expected] of offending) {
    it(`refuses ${line}`, async () => {
      const messages = await restrictedMessages(file, `${line}\nexport {};\n`);
      expect(messages.join('\n')).toMatch(expected);
    });
  }

  it('accepts the pure modules it needs', async () => {
    const code = "import '../../kernel/assert.js';\nimport '../../hal/contract.js';\nimport '../../kernel/co2.js';\nimport './types.js';\nexport {};\n";
    expect(await restrictedMessages(file, code)).toEqual([]);
  });
});

describe('lint covers every folder of src/controller/', () => {
  it(`has no file deeper than the rules reach (${CONTROLLER_MAX_DEPTH} folders down)`, () => {
    const depthOf = (path: string): number => path.split('/').length - 1;
    const files = readdirSync('src/controller', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => depthOf(f) > CONTROLLER_MAX_DEPTH)).toEqual([]);
  });

  it('refuses Node and the runtime in a sub-folder file too', async () => {
    const file = 'src/controller/interlock-memory/sensor-stuck.ts';
    expect((await restrictedMessages(file, "import 'node:fs';\nexport {};\n")).join('\n')).toMatch(/no-restricted-imports/);
    expect((await restrictedMessages(file, "import '../../runtime/loop.js';\nexport {};\n")).join('\n')).toMatch(/no-restricted-imports/);
    expect((await restrictedMessages(file, "import '../../../kernel/json-file.js';\nexport {};\n")).join('\n')).toMatch(/no-restricted-imports/);
    expect((await restrictedMessages(file, 'export const t = Date.now();\n')).join('\n')).toMatch(/no-restricted-globals/);
    expect(await restrictedMessages(file, "import '../state.js';\nimport '../../../hal/contract.js';\nexport {};\n")).toEqual([]);
  });
});
