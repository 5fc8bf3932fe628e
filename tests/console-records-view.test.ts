// The treatment records on the console page (issue 10): the server sends the nerve catalog (and
// the run's --target) on connect and forwards a start's target to the loop; the console worker
// reads the latest treatments from a real records store, read-only, and a store that is missing
// or unreadable is reported with its reason, never thrown.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { RECENT_TREATMENTS, RecentPoller, nerveChoices, readRecent } from '../src/console/records-view.js';
import type { FromConsole, ToConsole } from '../src/console/protocol.js';
import type { RecentTreatments } from '../src/console/wire.js';
import { NERVES } from '../src/records/nerves.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import { startFakeConsole } from './helpers/fake-console.js';
import type { FakeConsole } from './helpers/fake-console.js';
import { samples, treatmentEnd, treatmentStart } from './helpers/records-data.js';
import { tempDirMaker } from './helpers/temp.js';
import { connect } from './helpers/ws-client.js';
import type { TestClient } from './helpers/ws-client.js';

const newDataDir = tempDirMaker('console-records-view-');
const WORKER = new URL('../dist/src/console/worker.js', import.meta.url);
/** The built worker comes up and reads the store within this on a loaded machine. */
const WORKER_WAIT_MS = 10_000;
let open: { consoles: FakeConsole[]; clients: TestClient[]; stores: RecordsStore[]; workers: Worker[] } = { consoles: [], clients: [], stores: [], workers: [] };

afterEach(async () => {
  for (const c of open.clients) await c.close();
  for (const f of open.consoles) await f.close();
  for (const s of open.stores) s.close();
  for (const w of open.workers) {
    const exited = new Promise((resolve) => w.once('exit', resolve));
    w.postMessage({ kind: 'stop' } satisfies ToConsole);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    await w.terminate();
  }
  open = { consoles: [], clients: [], stores: [], workers: [] };
});

/** The built console worker on 127.0.0.1 for `dataDir`; resolves with its URL once ready. */
async function startWorker(dataDir: string): Promise<string> {
  if (!existsSync(WORKER)) throw new Error(`${WORKER.pathname} is missing: run npm run build`);
  const worker = new Worker(WORKER, { workerData: { host: '127.0.0.1', port: 0, dataDir, defaultTarget: { nerveId: 'sural', side: 'left' } }, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  open.workers.push(worker);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('the console worker did not report ready'));
    }, WORKER_WAIT_MS);
    worker.on('message', (m: FromConsole) => {
      if (m.kind === 'ready') {
        clearTimeout(timer);
        resolve(m.url);
      }
      if (m.kind === 'failed') reject(new Error(m.message));
    });
  });
}

async function fake(options: Parameters<typeof startFakeConsole>[1] = {}): Promise<FakeConsole> {
  const f = await startFakeConsole(newDataDir(), options);
  open.consoles.push(f);
  return f;
}

async function client(f: FakeConsole): Promise<TestClient> {
  const c = await connect(f.server.url);
  open.clients.push(c);
  return c;
}

/** A records store in a fresh data dir with `count` treatments, each ended but the last when
 * `lastOpen`; treatment i targets the catalog's i-th nerve (cycling), on the left. */
function storeWith(count: number, lastOpen = false): { dataDir: string; store: RecordsStore } {
  const dataDir = newDataDir();
  const store = RecordsStore.open(recordsPath(dataDir));
  open.stores.push(store);
  for (let i = 0; i < count; i++) {
    const nerve = NERVES[i % NERVES.length]!;
    const id = store.begin(treatmentStart({ startedAtEpochMs: 1_780_000_000_000 + i * 60_000, target: { nerveId: nerve.id, side: 'left' } }));
    store.append(id, samples(3), []);
    if (i < count - 1 || !lastOpen) store.end(id, treatmentEnd({ endedAtEpochMs: 1_780_000_000_000 + i * 60_000 + 30_000 }));
  }
  return { dataDir, store };
}

describe('the console server and the start target', () => {
  it('sends the nerve catalog and no default target on connect', async () => {
    const f = await fake();
    const c = await client(f);
    const catalog = await c.next('catalog');
    expect(catalog.nerves).toEqual(nerveChoices());
    expect(catalog.nerves.map((n) => n.id)).toEqual(NERVES.map((n) => n.id));
    expect(catalog.nerves.find((n) => n.id === 'superficial-peroneal')).toMatchObject({ motor: true, motorNote: expect.stringMatching(/peroneus/) as unknown });
    expect(catalog.defaultTarget).toBeNull();
  });

  it("sends the run's --target as the default the dialog preselects", async () => {
    const f = await fake({ defaultTarget: { nerveId: 'sural', side: 'right' } });
    const c = await client(f);
    expect((await c.next('catalog')).defaultTarget).toEqual({ nerveId: 'sural', side: 'right' });
  });

  it('forwards a start with its target to the loop, and says so', async () => {
    const f = await fake();
    const c = await client(f);
    await c.next('access');
    const start = { type: 'start', protocol: { preset: 'standard' }, target: { nerveId: 'intercostal', side: 'left' } };
    c.send(start);
    expect((await c.next('accepted')).command).toBe('start');
    expect(f.commands.map((r) => r.command)).toEqual([start]);
  });

  it('refuses a start naming a nerve outside the catalog, with the field and value, and forwards nothing', async () => {
    const f = await fake();
    const c = await client(f);
    await c.next('access');
    c.send({ type: 'start', protocol: { preset: 'standard' }, target: { nerveId: 'median', side: 'left' } });
    expect((await c.next('refused')).reason).toBe('target.nerveId: unknown nerve "median" (not in the catalog)');
    c.send({ type: 'start', protocol: { preset: 'standard' }, target: { nerveId: 'sural', side: 'middle' } });
    await expect.poll(() => c.messages.filter((m) => m.kind === 'refused').length).toBe(2);
    expect(c.messages.filter((m) => m.kind === 'refused').at(-1)).toMatchObject({ reason: 'target.side: side "middle" is not one of left, right' });
    expect(f.commands).toEqual([]);
  });

  it('sends the latest recent treatments on connect and every new list to connected clients', async () => {
    const f = await fake();
    const early = await client(f);
    await early.next('catalog');
    const first: RecentTreatments = { available: false, reason: 'no records yet' };
    f.server.publishRecent(first);
    expect((await early.next('recent')).recent).toEqual(first);
    const late = await client(f);
    expect((await late.next('recent')).recent).toEqual(first);
    const { dataDir } = storeWith(2);
    const second = await readRecent(dataDir);
    f.server.publishRecent(second);
    await expect.poll(() => late.messages.filter((m) => m.kind === 'recent').length).toBe(2);
    expect(late.messages.filter((m) => m.kind === 'recent').at(-1)).toEqual({ kind: 'recent', recent: second });
  });
});

describe('the console worker (the build)', () => {
  it('sends a client the catalog with the run default and the latest treatments of a real store', async () => {
    const { dataDir } = storeWith(3);
    const c = await connect(await startWorker(dataDir));
    open.clients.push(c);
    expect((await c.next('catalog', WORKER_WAIT_MS)).defaultTarget).toEqual({ nerveId: 'sural', side: 'left' });
    const recent = (await c.next('recent', WORKER_WAIT_MS)).recent;
    expect(recent).toMatchObject({ available: true, treatments: [{ id: 3 }, { id: 2 }, { id: 1 }] });
  });

  it('says the records are unavailable, with the reason, when the data dir has none, and lives on', async () => {
    const dataDir = newDataDir();
    const c = await connect(await startWorker(dataDir));
    open.clients.push(c);
    const recent = (await c.next('recent', WORKER_WAIT_MS)).recent;
    expect(recent).toMatchObject({ available: false, reason: expect.stringContaining('records.sqlite') as unknown });
    c.send({ type: 'acknowledge' });
    expect((await c.next('accepted', WORKER_WAIT_MS)).command).toBe('acknowledge');
  });
});

describe('the recent treatments read by the console worker', () => {
  it(`lists the last ${RECENT_TREATMENTS}, newest first, with start, outcome, target and min tip`, async () => {
    const { dataDir } = storeWith(RECENT_TREATMENTS + 3, true);
    const recent = await readRecent(dataDir);
    if (!recent.available) throw new Error(`unavailable: ${recent.reason}`);
    expect(recent.treatments.map((t) => t.id)).toEqual(Array.from({ length: RECENT_TREATMENTS }, (_, i) => RECENT_TREATMENTS + 3 - i));
    const [newest, previous] = recent.treatments;
    expect(newest).toMatchObject({ outcome: null, endedAtEpochMs: null, cycles: 0, minTipC: null });
    const nerve = NERVES[(RECENT_TREATMENTS + 1) % NERVES.length]!;
    expect(previous).toMatchObject({ outcome: 'complete', target: { nerveId: nerve.id, side: 'left' }, minTipC: -72.25, startedAtEpochMs: 1_780_000_000_000 + (RECENT_TREATMENTS + 1) * 60_000 });
  });

  it('reads while the records worker holds the store open for writing, and holds no lock after', async () => {
    const { dataDir, store } = storeWith(1);
    const recent = await readRecent(dataDir);
    expect(recent).toMatchObject({ available: true, treatments: [{ id: 1, outcome: 'complete' }] });
    // The writer goes on at once: the read left no transaction or lock behind.
    expect(store.begin(treatmentStart())).toBe(2);
    expect(store.verify()).toMatchObject({ ok: true, treatments: 2 });
  });

  it('reports a missing store as unavailable with the reason', async () => {
    const dataDir = newDataDir();
    const recent = await readRecent(dataDir);
    expect(recent.available).toBe(false);
    if (!recent.available) expect(recent.reason).toContain(recordsPath(dataDir));
  });

  it('reports a file that is not a records database as unavailable with the reason', async () => {
    const dataDir = newDataDir();
    writeFileSync(join(dataDir, 'records.sqlite'), 'not a database at all, just text '.repeat(200));
    const recent = await readRecent(dataDir);
    expect(recent).toMatchObject({ available: false, reason: expect.stringMatching(/records\.sqlite/) as unknown });
  });

  it('reports a list only when it changed', async () => {
    const lists: RecentTreatments[] = [{ available: false, reason: 'missing' }, { available: false, reason: 'missing' }, { available: true, treatments: [] }];
    const seen: RecentTreatments[] = [];
    let i = 0;
    const poller = new RecentPoller('unused', (r) => seen.push(r), () => Promise.resolve(lists[i++]!));
    for (let n = 0; n < lists.length; n++) await poller.poll();
    expect(seen).toEqual([lists[0], lists[2]]);
  });
});
