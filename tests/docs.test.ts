import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INTERLOCKS } from '../src/controller/interlocks.js';
import { PHASES } from '../src/controller/types.js';
import { FAULT_KINDS, parseFaultSpec } from '../hil/faults.js';

const safety = readFileSync('docs/safety.md', 'utf8');
const readme = readFileSync('README.md', 'utf8');

/** The lines of `text` from the heading `heading` up to the next heading of any level. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `no heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('#'));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Every `quoted` word in `text`. */
const quoted = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

describe('docs/safety.md', () => {
  it.each(INTERLOCKS.map((r) => [r.id, r] as const))('has a row for %s with its hazard, condition, debounce, latch, priority and armed phases', (id, row) => {
    const line = safety.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    expect(line, `no row for ${id}`).toBeDefined();
    const cells = (line ?? '').split('|').map((c) => c.trim());
    expect(cells[2]).toBe(row.hazard);
    expect(cells[3]).toBe(row.condition);
    expect(cells[4]).toBe(row.maxDebounceMs === 0 ? '0 (edge: not settable)' : `${row.debounceMs} (max ${row.maxDebounceMs})`);
    expect(cells[5]).toBe(row.latch ? 'yes (Fault)' : row.advisory === true ? 'no (advisory: no phase change)' : 'no (Stopped)');
    expect(cells[6]).toBe(row.priority);
    expect(cells[7]).toBe(row.armedIn.length === PHASES.length ? 'all' : row.armedIn.join(', '));
  });

  it('names every fault kind in the whole-treatment table, and nothing that is not one', () => {
    // The first cell of each body row of the table under the heading, e.g. "`tc-open`, `tc-short`".
    const rows = section(safety, '## Whole-treatment fault scenarios').filter((l) => l.startsWith('| `'));
    const kinds = rows.flatMap((l) => quoted(l.split('|')[1] ?? ''));
    expect(kinds.length).toBeGreaterThan(0);
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  });
});

describe('README.md', () => {
  it('starts with the two commands a new user runs', () => {
    // The first code block, before any section heading, holds these two commands and no other.
    const firstBlockAt = readme.indexOf('```');
    const firstSectionAt = readme.indexOf('\n## ');
    expect(firstBlockAt).toBeGreaterThan(0);
    expect(firstBlockAt).toBeLessThan(firstSectionAt);
    const commands = (readme.split('```')[1] ?? '')
      .split('\n')
      .slice(1) // the language tag
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter((l) => l !== '');
    expect(commands).toEqual(['npm install && npm start', 'npm test']);
  });

  it('lists every fault kind accepted by --fault, and only those', () => {
    // The sentence "Fault kinds for `--fault`: `tc-open`, ..., `probe-disconnect`." (to its full stop).
    const intro = 'Fault kinds for `--fault`:';
    const start = readme.indexOf(intro);
    expect(start).toBeGreaterThanOrEqual(0);
    const end = readme.indexOf('.\n', start);
    expect(end).toBeGreaterThan(start);
    const listed = quoted(readme.slice(start + intro.length, end));
    expect([...listed].sort()).toEqual([...FAULT_KINDS].sort());
    for (const kind of listed) expect(parseFaultSpec(`${kind}@1`).kind).toBe(kind);
  });
});
