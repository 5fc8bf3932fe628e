// `cryo` runs with the same V8 flags however it is launched: its bin (the shebang), `npm start`,
// and the console bench that measures it (src/cli/node-flags.ts says why each flag is there).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CRYO_NODE_FLAGS, MAX_SEMI_SPACE_MB } from '../src/cli/node-flags.js';

describe('the node flags cryo runs with', () => {
  it('are in the bin\'s shebang (env -S passes them to node)', () => {
    const firstLine = readFileSync('src/cli/main.ts', 'utf8').split('\n')[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${CRYO_NODE_FLAGS.join(' ')}`);
  });

  it('are in npm start', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toContain(`node ${CRYO_NODE_FLAGS.join(' ')} dist/src/cli/main.js`);
  });

  it('are given to every cryo run the console bench starts', () => {
    expect(readFileSync('bench/console-run.ts', 'utf8')).toMatch(/const args = \[\.\.\.CRYO_NODE_FLAGS, /);
  });

  it('bound the young generation', () => {
    expect(CRYO_NODE_FLAGS).toContain(`--max-semi-space-size=${MAX_SEMI_SPACE_MB}`);
    expect(MAX_SEMI_SPACE_MB).toBeLessThan(16);
  });
});
