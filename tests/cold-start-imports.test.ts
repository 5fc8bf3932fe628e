// `cryo simulate` and the console on the simulated board must not load the hardware libraries
// (johnny-five, serialport, avr8js, mock-firmata): they cost start-up time and a simulated board
// never needs them (issue 8). The built CLI runs in a child process with a preload that records
// every module the child resolves (ESM resolve hook) and every CommonJS module in require.cache
// at exit; a static import of a hardware library anywhere on the simulated path shows up here.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirForFile } from './helpers/temp.js';

const CLI = 'dist/src/cli/main.js';
const HARDWARE_LIBRARY = /\/node_modules\/(johnny-five|serialport|@serialport\/[^/]+|avr8js|mock-firmata)\//;
const CHILD_TIMEOUT_MS = 20_000;

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.CRYO_TEST_IMPORT_LOG, result.url + '\\n');
  return result;
}`;
/** Written last by the preload's exit handler: its absence means the record is incomplete. */
const EXIT_MARK = '# exit';
const PRELOAD = `const EXIT_MARK = ${JSON.stringify(EXIT_MARK)};
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});
process.on('exit', () => {
  const cjs = Object.keys(createRequire(process.cwd() + '/').cache);
  appendFileSync(process.env.CRYO_TEST_IMPORT_LOG, cjs.map((p) => 'file://' + p + '\\n').join('') + EXIT_MARK + '\\n');
});`;
const PRELOAD_URL = `data:text/javascript,${encodeURIComponent(PRELOAD)}`;

const dir = tempDirForFile('cryo-cold-start-');
let runs = 0;

/** Runs node with the recording preload; returns the modules it loaded (file URLs). */
function loadedModules(args: string[]): string[] {
  const log = join(dir, `imports-${++runs}.txt`);
  const child = spawnSync(process.execPath, ['--import', PRELOAD_URL, ...args], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRYO_TEST_IMPORT_LOG: log, CRYO_DATA_DIR: join(dir, `data-${runs}`) },
  });
  expect(child.error, child.stderr).toBeUndefined();
  expect(child.status, child.stderr).toBe(0);
  const lines = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
  expect(lines.at(-1), 'the exit handler did not finish the record').toBe(EXIT_MARK);
  return lines;
}

function hardwareLibraries(modules: string[]): string[] {
  return [...new Set(modules.filter((url) => HARDWARE_LIBRARY.test(url)).map((url) => HARDWARE_LIBRARY.exec(url)?.[1]))].sort() as string[];
}

describe('hardware libraries stay unloaded on the simulated board', () => {
  it('the recorder sees a hardware library when one is loaded (ESM import and require)', () => {
    const modules = loadedModules([
      '--input-type=module',
      '-e',
      "import 'serialport'; import { createRequire } from 'node:module'; createRequire(process.cwd() + '/')('avr8js');",
    ]);
    // avr8js through require(), serialport through import, @serialport/bindings-cpp through
    // serialport's own require() calls (seen only in require.cache).
    expect(hardwareLibraries(modules)).toEqual(expect.arrayContaining(['avr8js', 'serialport', '@serialport/bindings-cpp']));
  });

  it('cryo simulate --json loads none of them', () => {
    const modules = loadedModules([CLI, 'simulate', '--json', '--preset', 'percutaneous']);
    expect(modules.some((url) => url.endsWith('/dist/src/cli/simulate.js'))).toBe(true);
    expect(hardwareLibraries(modules)).toEqual([]);
  });

  it('cryo run on boards/sim.json (what npm start runs) loads none of them', () => {
    const modules = loadedModules([CLI, 'run', '--board', 'boards/sim.json', '--no-web', '--auto-start', '--exit-when-done', '--speed', '1000', '--json', '--preset', 'percutaneous']);
    expect(modules.some((url) => url.endsWith('/dist/src/runtime/board-session.js'))).toBe(true);
    expect(hardwareLibraries(modules)).toEqual([]);
  });
});
