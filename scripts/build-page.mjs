#!/usr/bin/env node
// Builds the console page (src/console/page/) into dist/console-page/: one script and one style
// sheet bundled by esbuild with uPlot and its CSS, and index.html. Served by the controller itself
// (src/console/server/assets.ts): no CDN, works with no network (issue 9). Run by `npm run build`;
// skipped when no input changed since the last build (esbuild's metafile lists the inputs).
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src', 'console', 'page');
export const OUT_DIR = join(ROOT, 'dist', 'console-page');
const META = join(ROOT, 'dist', 'console-page.meta.json');
const OUTPUTS = ['index.html', 'page.js', 'page.css'];

function upToDate() {
  if (!existsSync(META) || OUTPUTS.some((f) => !existsSync(join(OUT_DIR, f)))) return false;
  const builtMs = Math.min(...OUTPUTS.map((f) => statSync(join(OUT_DIR, f)).mtimeMs));
  const inputs = [...Object.keys(JSON.parse(readFileSync(META, 'utf8')).inputs), 'src/console/page/index.html', 'scripts/build-page.mjs'];
  return inputs.every((input) => existsSync(join(ROOT, input)) && statSync(join(ROOT, input)).mtimeMs <= builtMs);
}

/** Builds unless up to date; returns true when it built. */
export async function buildPage({ force = false } = {}) {
  if (!force && upToDate()) return false;
  mkdirSync(OUT_DIR, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: join(SRC, 'main.ts'), out: 'page' }],
    outdir: OUT_DIR,
    bundle: true,
    format: 'esm',
    target: 'chrome100',
    minify: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
  });
  copyFileSync(join(SRC, 'index.html'), join(OUT_DIR, 'index.html'));
  writeFileSync(META, JSON.stringify(result.metafile));
  return true;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildPage({ force: process.argv.includes('--force') });
  console.log(built ? `console page built into ${OUT_DIR}` : 'console page up to date');
}
