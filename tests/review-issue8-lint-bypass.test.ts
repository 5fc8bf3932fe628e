// Review of issue 8 (1617478, eslint.floors.js): ways to write an upward import, or to reach Node
// from src/controller/, that the floor rules should refuse. Each case lints a real file of the
// floor with one offending line added, through the project's own eslint config (as
// tests/lint-floors.test.ts does). The cases that pass today are kept as controls.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const FLOOR_RULES = new Set(['no-restricted-imports', 'no-restricted-globals', 'no-restricted-properties', 'no-restricted-syntax', 'floors/no-upward-import']);

async function restrictedMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (result === undefined) throw new Error(`eslint returned no result for ${filePath}`);
  return result.messages.filter((m) => m.ruleId !== null && FLOOR_RULES.has(m.ruleId)).map((m) => `${m.ruleId ?? ''}: ${m.message}`);
}

/** [file, offending code, what it does]: every one must be refused. */
const UPWARD: readonly (readonly [string, string, string])[] = [
  // Controls: refused today.
  ['hal/contract.ts', "export * from '../src/board.js';", 'export-all from above'],
  ['hal/contract.ts', "export { parseAnyBoard } from '../src/board.js';", 'named re-export from above'],
  ['hal/contract.ts', "import type { Board } from '../src/board.js';\nexport type B = Board;", 'type-only import from above'],
  // Gaps.
  ['hal/contract.ts', "export const load = () => import('../src/board.js');", 'dynamic import() from above'],
  ['hil/faults.ts', "export type S = import('../src/controller/state.js').ControllerState;", 'import() type from above'],
  ['hal/contract.ts', "import './../src/board.js';", "a path starting with './' before climbing"],
  ['hal/firmata/board.ts', "import '../../kernel/../src/board.js';", 'climbing through a lower floor first'],
  ['kernel/assert.ts', "import '..//src/board.js';", 'a doubled slash'],
];

describe('review issue 8: the floors refuse every spelling of an upward import', () => {
  for (const [file, code, what] of UPWARD) {
    it(`${what} in ${file}: ${code.split('\n')[0] ?? ''}`, async () => {
      const messages = await restrictedMessages(file, `${code}\nexport {};\n`);
      expect(messages.length, `no floor rule fired on: ${code}`).toBeGreaterThan(0);
    });
  }
});

const CONTROLLER_FILE = 'src/controller/step.ts';
const NODE_IN_CONTROLLER: readonly (readonly [string, string])[] = [
  // Controls: refused today.
  ["import type { Stats } from 'node:fs';\nexport type S = Stats;", 'type-only Node import'],
  ["export * from '../runtime/loop.js';", 're-export from the runtime'],
  ['export const { random } = Math;', 'Math.random by destructuring'],
  // Gaps.
  ["export const fs = () => import('node:fs');", 'dynamic import of a Node module'],
  ["import './../runtime/loop.js';", "a path starting with './' into the runtime"],
  ['export const r = crypto.getRandomValues(new Uint32Array(1));', 'randomness from the crypto global'],
  ['export const id = crypto.randomUUID();', 'randomness from crypto.randomUUID'],
  ['const g = globalThis;\nexport const p = (g as unknown as { process: { pid: number } }).process.pid;', 'process through an alias of globalThis'],
  ["export const t = Reflect.get(globalThis, 'Date');", 'Date through Reflect.get(globalThis)'],
  // Any npm package passes: only Node's own modules and relative paths are checked, so a package
  // that does I/O (the serial port driver, the logger) can be imported by the pure step.
  ["import 'serialport';", 'the serial port package'],
  ["import { pino } from 'pino';\nexport const logger = pino();", 'the logger package'],
];

describe('review issue 8: src/controller/ cannot reach Node, the clock or randomness', () => {
  for (const [code, what] of NODE_IN_CONTROLLER) {
    it(`${what}: ${code.split('\n')[0] ?? ''}`, async () => {
      const messages = await restrictedMessages(CONTROLLER_FILE, `${code}\nexport {};\n`);
      expect(messages.length, `no floor rule fired on: ${code}`).toBeGreaterThan(0);
    });
  }
});
