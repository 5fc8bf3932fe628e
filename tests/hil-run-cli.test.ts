// `cryo hil run` as CI runs it: the built program (npm test builds first) over worker threads, exit
// codes, a line per scenario, a deliberately failing scenario and a bad file both failing the run
// without stopping the others, well-formed JUnit XML, and a self-contained HTML report.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const CLI = path.resolve('dist/src/cli/main.js');
const SOURCE = 'hil/scenarios/operator-stop-mid-freeze.json';
const PROCESS_TIMEOUT_MS = 120_000;

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cryo-hil-run-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function cryo(args: readonly string[], cwd = process.cwd()): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [CLI, 'hil', 'run', ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

function writeScenario(folder: string, file: string, edit: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(fs.readFileSync(SOURCE, 'utf8')) as Record<string, unknown>;
  edit(doc);
  fs.mkdirSync(folder, { recursive: true });
  const target = path.join(folder, file);
  fs.writeFileSync(target, JSON.stringify(doc));
  return target;
}

/** Well-formed XML in the subset JUnit uses: a declaration, balanced elements, quoted attributes,
 * no bare `<` or `&` in text or attribute values. Returns the problem, or null. */
function xmlProblem(xml: string): string | null {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  if (body === xml) return 'no XML declaration';
  const stack: string[] = [];
  const entity = /&(amp|lt|gt|quot|apos|#\d+);/g;
  let rest = body;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    if (/[<&]/.test(text.replace(entity, ''))) return `bad text: ${text.slice(0, 60)}`;
    if (lt < 0) break;
    const gt = rest.indexOf('>', lt);
    if (gt < 0) return 'unclosed tag';
    const tag = rest.slice(lt + 1, gt);
    rest = rest.slice(gt + 1);
    const m = /^(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)$/.exec(tag);
    if (m === null) return `bad tag: <${tag.slice(0, 60)}>`;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(m[3] ?? '')) return `bad attribute value in <${m[2] ?? ''}>`;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return `mismatched </${m[2] ?? ''}>`;
    } else if (m[4] !== '/') stack.push(m[2] ?? '');
  }
  return stack.length === 0 ? null : `unclosed <${stack.join('> <')}>`;
}

describe('cryo hil run', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('passes a good scenario with exit 0 and prints its line', () => {
    const good = writeScenario(dir, 'good.json', () => undefined);
    const r = cryo([good, '--jobs', '1']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS operator-stop-mid-freeze: stopped, 1 freeze, OPERATOR_STOP@30s; [\d.]+ s simulated$/m);
    expect(r.stdout).toMatch(/^1 passed, 0 failed \(1 scenarios in [\d.]+ s on 1 job\)$/m);
  });

  it('fails the run on a wrong expectation and on a bad file, runs the rest, and writes JUnit and the report', () => {
    const folder = path.join(dir, 'scenarios');
    writeScenario(folder, 'a-good.json', () => undefined);
    writeScenario(folder, 'b-wrong.json', (d) => {
      d.name = 'wrong-outcome';
      (d.expect as Record<string, unknown>).outcome = 'complete';
    });
    writeScenario(folder, 'c-bad.json', (d) => {
      (d.scenario as Record<string, unknown>).plant = { cylinderTempC: 45 };
    });
    const junit = path.join(dir, 'out', 'junit.xml');
    const report = path.join(dir, 'report');
    const r = cryo([folder, '--junit', junit, '--report', report, '--jobs', '2']);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^PASS operator-stop-mid-freeze: /m);
    expect(r.stdout).toContain('FAIL wrong-outcome');
    expect(r.stdout).toContain('  expect.outcome: wanted complete, got stopped (final phase Stopped)');
    expect(r.stdout).toContain(`FAIL c-bad (${path.join(folder, 'c-bad.json')})`);
    expect(r.stdout).toContain(`${path.join(folder, 'c-bad.json')}: scenario.plant.cylinderTempC: plant: cylinderTempC 45 is outside`);
    expect(r.stdout).toMatch(/^1 passed, 2 failed /m);

    const xml = fs.readFileSync(junit, 'utf8');
    expect(xmlProblem(xml)).toBeNull();
    // The checker itself can fail: an unbalanced element and a bare ampersand are caught.
    expect(xmlProblem('<?xml version="1.0"?><a><b></a>')).toBe('mismatched </a>');
    expect(xmlProblem('<?xml version="1.0"?><a>x & y</a>')).toMatch(/^bad text/);
    expect(xml).toContain('<testsuite name="hil-scenarios" tests="3" failures="1" errors="1"');
    expect(xml).toMatch(/<testcase classname="hil.scenarios" name="wrong-outcome" [^>]*><failure message="expect.outcome: wanted complete, got stopped/);
    expect(xml).toMatch(/<testcase classname="hil.scenarios" name="c-bad" [^>]*><error message=/);

    const pages = fs.readdirSync(report).sort();
    expect(pages).toEqual(['c-bad.html', 'index.html', 'operator-stop-mid-freeze.html', 'wrong-outcome.html']);
    const index = fs.readFileSync(path.join(report, 'index.html'), 'utf8');
    expect(index).toContain('1 passed, 2 failed');
    expect(index).toContain('href="wrong-outcome.html"');
    const page = fs.readFileSync(path.join(report, 'operator-stop-mid-freeze.html'), 'utf8');
    for (const plot of ['Tip temperature', 'Pressures', 'Valves (open spans)', 'Phase', 'Alarms']) expect(page).toContain(`<figcaption>${plot}</figcaption>`);
    expect(page).toContain('OPERATOR_STOP');
    // The plant carries its true radii (src/sim/fuzz/invariants.ts iceBallOf): they are plotted.
    expect(page).toContain('<figcaption>Ice-ball radii from the probe axis</figcaption>');
    for (const name of pages) {
      const html = fs.readFileSync(path.join(report, name), 'utf8');
      expect(html, name).not.toMatch(/<script|<link|https?:\/\//);
    }
  });

  it('prints JSON with --json', () => {
    const good = writeScenario(dir, 'good.json', () => undefined);
    const r = cryo([good, '--json', '--jobs', '1']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; scenarios: { name: string; outcome: string; trips: { id: string }[] }[] };
    expect(out.passed).toBe(1);
    expect(out.failed).toBe(0);
    expect(out.scenarios[0]?.outcome).toBe('stopped');
    expect(out.scenarios[0]?.trips.map((t) => t.id)).toEqual(['OPERATOR_STOP']);
  });

  it('runs hil/scenarios of the working folder when given no path', () => {
    writeScenario(path.join(dir, 'hil', 'scenarios'), 'only.json', () => undefined);
    const r = cryo(['--jobs', '1'], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('PASS operator-stop-mid-freeze');
  });

  it('refuses a folder with no scenario files as a usage error', () => {
    const r = cryo([dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`no scenario files (*.json) in ${dir}`);
  });
});
