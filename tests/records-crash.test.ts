// A writer killed with SIGKILL between or inside transactions loses nothing it had committed:
// every batch the child reported committed is in the file, the chain verifies, and the treatment
// is recovered as interrupted. (The whole console's kill -9 test is elsewhere; this is the store.)
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { storeFixture } from './helpers/records.js';

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
