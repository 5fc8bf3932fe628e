// The project's root folder, found from this module's own location, so the same code works from
// the sources (kernel/) and from the build (dist/kernel/): the page assets, the firmware cache and
// the rig's working directory are all placed relative to it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory containing the nearest package.json above this module; the working directory when none. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
