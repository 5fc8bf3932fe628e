import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INTERLOCKS } from '../src/controller/interlocks.js';
import { PHASES } from '../src/controller/types.js';
import { FAULT_KINDS } from '../hil/faults.js';

const safety = readFileSync('docs/safety.md', 'utf8');
const readme = readFileSync('README.md', 'utf8');

describe('docs/safety.md', () => {
  it.each(INTERLOCKS.map((r) => [r.id, r] as const))('has a row for %s with its hazard, condition, debounce, latch, priority and armed phases', (id, row) => {
    const line = safety.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    expect(line, `no row for ${id}`).toBeDefined();
    const cells = (line ?? '').split('|').map((c) => c.trim());
    expect(cells[2]).toBe(row.hazard);
    expect(cells[3]).toBe(row.condition);
    expect(cells[4]).toBe(row.maxDebounceMs === 0 ? '0 (edge: not settable)' : `${row.debounceMs} (max ${row.maxDebounceMs})`);
    expect(cells[5]).toMatch(row.latch ? /^yes/ : /^no/);
    expect(cells[6]).toBe(row.priority);
    expect(cells[7]).toBe(row.armedIn.length === PHASES.length ? 'all' : row.armedIn.join(', '));
  });

  it('names every fault kind in the whole-treatment table', () => {
    for (const kind of FAULT_KINDS) expect(safety).toContain(`\`${kind}\``);
  });
});

describe('README.md', () => {
  it('starts with the two commands a new user runs', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('lists every fault kind accepted by --fault', () => {
    for (const kind of FAULT_KINDS) expect(readme).toContain(`\`${kind}\``);
  });
});
