// Temporary folders for a test file, removed when the file's tests are done: a test run leaves
// nothing in the system temp folder. Call at module level (it registers an afterAll hook).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function tempDirForFile(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** For tests that need a fresh folder each: every folder it makes is inside one folder for the
 * test file, removed when the file's tests are done. Call at module level. */
export function tempDirMaker(prefix: string): () => string {
  const root = tempDirForFile(prefix);
  return () => mkdtempSync(join(root, 'dir-'));
}
