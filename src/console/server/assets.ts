// The page's built files (scripts/build-page.mjs writes them to dist/console-page/), read once at
// start and served from memory: no CDN, nothing fetched, works with no network (issue 9). Only
// the files found there are served, by exact name: no path from a request reaches the disk.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { projectRoot } from '../../../kernel/project-root.js';

export const PAGE_DIR_NAME = join('dist', 'console-page');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
}


export function consolePageDir(): string {
  return join(projectRoot(), PAGE_DIR_NAME);
}

/** URL path -> file; `/` is index.html. Empty when the page was not built (the server says so). */
export function loadAssets(dir: string = consolePageDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    const asset = { body: readFileSync(join(dir, name)), contentType };
    assets.set(`/${name}`, asset);
    if (name === 'index.html') assets.set('/', asset);
  }
  return assets;
}
