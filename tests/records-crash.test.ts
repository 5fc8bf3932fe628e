// A writer killed with SIGKILL between or inside transactions loses nothing it had committed:
// every batch the child reported committed is in the file, the chain verifies, and the treatment
// is recovered as interrupted. Then the whole console: a real `cryo run` at speed 1 killed with
// SIGKILL mid-freeze loses nothing it had committed and at most the last second of samples, and the
// console started again on the same data dir closes the treatment as interrupted at its last
// sample, takes over the site's cumulative freeze, and treats again.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCryo } from './helpers/cryo-process.js';
import type { CryoProcess } from './helpers/cryo-process.js';
import { storeFixture } from './helpers/records.js';
import { LAST_OPEN_SAMPLE_CREDIT_MS } from '../src/records/recovery.js';
import { recordsPath } from '../src/records/store.js';

const fx = storeFixture('cryo-records-crash-');
const BATCHES_BEFORE_KILL = 40;
const CHILD_TIMEOUT_MS = 20_000;

/** Runs the writer until it reports `batches` commits, kills it with SIGKILL, and gives the last
 * commit it reported. */
async function killAfter(file: string, batches: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/records-writer-child.ts', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // tsx's transform cache would stay behind in the temp folder (tsx-UID).
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let reported = 0;
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => { resolve(signal); }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the writer reported ${reported} commits in ${CHILD_TIMEOUT_MS} ms: ${stderr}`)); }, CHILD_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/committed (\d+)/g)) reported = Math.max(reported, Number(m[1]));
      if (reported >= batches && child.exitCode === null) {
        child.kill('SIGKILL');
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => { clearTimeout(timer); resolve(); });
  });
  expect(await exited).toBe('SIGKILL');
  return reported;
}

describe('records store under kill -9', () => {
  it('keeps every batch the killed writer had committed, verifies, and recovers the treatment', async () => {
    const file = fx.file();
    const reported = await killAfter(file, BATCHES_BEFORE_KILL);
    expect(reported).toBeGreaterThanOrEqual(BATCHES_BEFORE_KILL);
    const store = fx.open(file);
    const record = store.get(1)!;
    // It may have committed more after its last report reached us, never fewer.
    expect(record.samples.length).toBeGreaterThanOrEqual(reported * 5);
    expect(record.samples.length % 5).toBe(0);
    expect(record.events.length).toBe(record.samples.length / 5);
    expect(store.verify()).toMatchObject({ ok: true, treatments: 1 });
    expect(store.recoverInterrupted(1_780_000_900_000)).toEqual([expect.objectContaining({ id: 1, lastTMs: record.samples.at(-1)!.tMs })]);
  });
});

/** Issue 10: a kill -9 loses at most the last second of samples. */
const LOSS_MAX_MS = 1_000;
/** The loop's clock (the sim's, at speed 1) against the test's wall clock, and one late tick on a
 * loaded machine: the last sample's wall time is judged within LOSS_MAX_MS plus this. */
const CLOCK_TOLERANCE_MS = 250;
/** Freezing committed for this long before the kill: the treatment is well under way. */
const FREEZING_BEFORE_KILL_MS = 2_000;
/** The records' sample period (10 Hz). */
const SAMPLE_PERIOD_MS = 100;
const REACH_FREEZING_MS = 30_000;
const RUN_TIMEOUT_MS = 60_000;
/** A freeze far longer than the test, so the kill lands mid-freeze. */
const LONG_FREEZE_ARGS = ['--cycles', '1', '--freeze-s', '300', '--thaw-s', '10'];

interface Committed {
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number | null;
  readonly outcome: string | null;
  readonly events: readonly { seq: number; t_ms: number; kind: string; detail: string }[];
  readonly samples: readonly { seq: number; t_ms: number; phase: string; supply_valve_open: number }[];
}

/** What treatment `id` has committed, read through a read-only connection; undefined before the
 * file or the treatment exists (or while another connection holds it for a moment). */
function committed(file: string, id: number): Committed | undefined {
  if (!existsSync(file)) return undefined;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    // The file is there before the worker has made its tables.
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'treatments'").get() === undefined) return undefined;
    const t = db.prepare('SELECT started_at_epoch_ms, ended_at_epoch_ms, outcome FROM treatments WHERE id = ?').get(id) as
      | { started_at_epoch_ms: number; ended_at_epoch_ms: number | null; outcome: string | null }
      | undefined;
    if (t === undefined) return undefined;
    return {
      startedAtEpochMs: t.started_at_epoch_ms,
      endedAtEpochMs: t.ended_at_epoch_ms,
      outcome: t.outcome,
      events: db.prepare('SELECT seq, t_ms, kind, detail FROM events WHERE treatment_id = ? ORDER BY seq').all(id) as Committed['events'],
      samples: db.prepare('SELECT s.seq, s.t_ms, p.name AS phase, s.supply_valve_open FROM samples s JOIN phases p ON p.code = s.phase WHERE s.treatment_id = ? ORDER BY s.seq').all(id) as Committed['samples'],
    };
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw err;
  } finally {
    db?.close();
  }
}

/** First to last committed sample with the supply valve open. */
function valveOpenSpanMs(c: Committed): number {
  const open = c.samples.filter((s) => s.supply_valve_open === 1);
  return (open.at(-1)?.t_ms ?? 0) - (open[0]?.t_ms ?? 0);
}

/** How long the committed samples have been Freezing (first to last Freezing sample). */
function freezingSpanMs(c: Committed): number {
  const freezing = c.samples.filter((s) => s.phase === 'Freezing');
  const first = freezing[0];
  const last = freezing.at(-1);
  return first === undefined || last === undefined ? 0 : last.t_ms - first.t_ms;
}

const consoles: CryoProcess[] = [];
afterEach(async () => {
  for (const c of consoles.splice(0)) {
    c.child.kill('SIGKILL');
    await c.exited;
  }
});

describe('the console killed with SIGKILL mid-freeze', () => {
  it('loses nothing committed, at most the last second of samples; a restart closes the treatment as interrupted, takes over the site and treats again', async () => {
    const dataDir = dirname(fx.file());
    const file = recordsPath(dataDir);
    const env = { ...process.env };
    const first = spawnCryo(['run', '--board', 'boards/sim.json', '--no-web', '--auto-start', ...LONG_FREEZE_ARGS, '--data-dir', dataDir, '--target', 'sural:left'], env);
    consoles.push(first);
    await first.waitFor(
      `${FREEZING_BEFORE_KILL_MS} ms of committed Freezing samples`,
      () => {
        const c = committed(file, 1);
        return c !== undefined && freezingSpanMs(c) >= FREEZING_BEFORE_KILL_MS ? c : undefined;
      },
      REACH_FREEZING_MS,
    );
    const before = committed(file, 1)!;
    const killedAtEpochMs = Date.now();
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(before.outcome).toBeNull();

    const after = committed(file, 1)!;
    // (a) Nothing read before the kill is missing, nor changed.
    expect(after.outcome).toBeNull();
    expect(after.startedAtEpochMs).toBe(before.startedAtEpochMs);
    expect(after.events.slice(0, before.events.length)).toEqual(before.events);
    expect(after.samples.slice(0, before.samples.length)).toEqual(before.samples);
    expect(after.events.map((e) => e.kind)).toContain('site');
    // (b) At most the last second of samples is missing.
    const lastSample = after.samples.at(-1)!;
    expect(lastSample.phase).toBe('Freezing');
    const lastWallMs = after.startedAtEpochMs + lastSample.t_ms;
    expect(killedAtEpochMs - lastWallMs).toBeLessThanOrEqual(LOSS_MAX_MS + CLOCK_TOLERANCE_MS);
    expect(lastWallMs).toBeLessThanOrEqual(killedAtEpochMs + CLOCK_TOLERANCE_MS);
    // Samples at 10 Hz, none skipped: seq counts up without a gap.
    expect(after.samples.map((s) => s.seq)).toEqual(after.samples.map((_, i) => i + 1));

    // (c) Started again on the same data dir: the treatment is closed, the site taken over, and a
    // new treatment runs to the end.
    const second = spawnCryo(['run', '--board', 'boards/sim.json', '--no-web', '--auto-start', '--speed', '20', '--cycles', '1', '--freeze-s', '10', '--thaw-s', '10', '--exit-when-done', '--json', '--data-dir', dataDir], env);
    consoles.push(second);
    const exit = await second.exitWithin('the restarted console to finish a treatment', RUN_TIMEOUT_MS);
    expect(exit, second.tail()).toEqual({ code: 0, signal: null });
    expect(second.log()).toContain('treatment 1 was left open by a crash: closed as interrupted at its last sample');
    const site = /"siteFreezeMs":([0-9.]+).*the interrupted treatment's site had frozen/.exec(second.log());
    expect(site, second.tail()).not.toBeNull();
    // What it took over is the valve-open time the record shows, counted whole: from the sample
    // before the valve opened to LAST_OPEN_SAMPLE_CREDIT_MS after the last open one (never under-counted).
    const siteFreezeMs = Number(site![1]);
    expect(siteFreezeMs).toBeGreaterThanOrEqual(valveOpenSpanMs(after));
    expect(siteFreezeMs).toBeLessThanOrEqual(valveOpenSpanMs(after) + SAMPLE_PERIOD_MS + LAST_OPEN_SAMPLE_CREDIT_MS + CLOCK_TOLERANCE_MS);
    expect(JSON.parse(second.stdout())).toMatchObject({ outcome: 'complete', interlocks: [] });

    const closed = committed(file, 1)!;
    expect(closed.outcome).toBe('interrupted');
    // Epoch ms are whole; the loop's clock at speed 1 is not.
    expect(closed.endedAtEpochMs).toBe(Math.round(closed.startedAtEpochMs + lastSample.t_ms));
    expect(closed.samples).toEqual(after.samples);
    expect(closed.events.slice(0, after.events.length)).toEqual(after.events);
    expect(closed.events.at(-1)?.kind).toBe('interrupted');
    expect(committed(file, 2)).toMatchObject({ outcome: 'complete' });

    const verify = spawnCryo(['records', 'verify', '--data-dir', dataDir], env);
    consoles.push(verify);
    expect(await verify.exitWithin('cryo records verify', RUN_TIMEOUT_MS), verify.tail() + verify.stdout()).toEqual({ code: 0, signal: null });
  }, 3 * RUN_TIMEOUT_MS);
});
