#!/usr/bin/env node
// Runs before `npm test` (npm's pre-script): brings socat, chromium and the pinned StandardFirmata build, or
// stops the run at once with one line naming what is missing and how to install it (issue 8).
// The decisions live in hil/prerequisites.ts and are tested in tests/prerequisites.test.ts.
// tsx keeps a transform cache in the system temp folder (tsx-UID); npm test leaves nothing there.
process.env.TSX_DISABLE_CACHE = '1';
const { tsImport } = await import('tsx/esm/api');
const { bringTestPrerequisites, missingLine, systemDeps } = await tsImport('../hil/prerequisites.ts', import.meta.url);
const missing = await bringTestPrerequisites(systemDeps((line) => console.error(line)));
if (missing.length > 0) {
  console.error(missingLine(missing));
  process.exitCode = 1;
}
