// npm run mutate [-- <file or file:lines>...]: Stryker over src/controller (stryker.config.json).
//
// Why not `stryker run`: Stryker 10's CLI refuses to start on Node < 22 (a check at import of its
// CLI module), and this project runs on Node 20 (package.json engines). Its Stryker class, which
// the CLI wraps, runs here unchanged; this calls it directly. Once the project moves to Node 22
// (or pins @stryker-mutator/* 9.6.x, which declares Node >= 20) this file can become `stryker run`.
//
// Arguments, all optional: mutate patterns replacing the config's, e.g.
//   npm run mutate -- src/controller/withdrawal.ts src/controller/step.ts:120-160
//   npm run mutate -- --force      (ignore the incremental file, test every mutant again)
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const strykerModule = path.resolve('node_modules/@stryker-mutator/core/dist/src/stryker.js');
const { Stryker } = await import(pathToFileURL(strykerModule).href);

const args = process.argv.slice(2);
const overrides = { configFile: 'stryker.config.json' };
const patterns = args.filter((a) => !a.startsWith('--'));
if (patterns.length > 0) overrides.mutate = patterns;
if (args.includes('--force')) overrides.force = true;

const startedMs = Date.now();
const results = await new Stryker(overrides).runMutationTest();
const counted = results.filter((m) => m.status !== 'Ignored' && m.status !== 'CompileError' && m.status !== 'RuntimeError');
const detected = counted.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
const scorePercent = counted.length === 0 ? 0 : (100 * detected) / counted.length;
console.log(`mutation score ${scorePercent.toFixed(2)} % (${detected} of ${counted.length}), ${((Date.now() - startedMs) / 60_000).toFixed(1)} min`);
