// `cryo run --mqtt` end to end: the built console (a child process, simulated board) against an
// in-process broker on 127.0.0.1. A whole simulated treatment publishes NBIRTH, NDATA, its events
// and one summary; a start over the network is refused; a stop over the network stops the freeze
// and is in the treatment's record; a console killed with SIGKILL has its NDEATH published by the
// broker.
import { afterEach, describe, expect, it } from 'vitest';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import { METRICS } from '../src/telemetry/metrics.js';
import { encodePayload, START_COMMAND_METRIC } from '../src/telemetry/sparkplug.js';
import { spawnCryo } from './helpers/cryo-process.js';
import type { CryoProcess } from './helpers/cryo-process.js';
import { metricOf, startBroker, watchGroup } from './helpers/mqtt-broker.js';
import type { Seen, TestBroker, Watcher } from './helpers/mqtt-broker.js';
import { tempDirMaker } from './helpers/temp.js';

const GROUP = 'cryo-consoles';
const newDir = tempDirMaker('cryo-telemetry-run-');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ broker: TestBroker; watcher: Watcher; dataDir: string }> {
  const broker = await startBroker();
  cleanups.push(() => broker.close());
  const watcher = await watchGroup(broker.url, GROUP);
  cleanups.push(() => watcher.close());
  return { broker, watcher, dataDir: newDir() };
}

function cryo(args: string[], dataDir: string): CryoProcess {
  const p = spawnCryo(['run', '--board', 'boards/sim.json', '--no-web', '--data-dir', dataDir, ...args], { ...process.env, CRYO_DATA_DIR: dataDir });
  cleanups.push(() => p.stop());
  return p;
}

const phaseIs = (phase: string) => (s: Seen) => metricOf(s, 'State/Phase')?.value === phase;
const eventBodies = (w: Watcher): Record<string, unknown>[] =>
  w.seen.flatMap((s) => s.payload.metrics.filter((m) => m.name === 'Event' && typeof m.value === 'string').map((m) => JSON.parse(m.value as string) as Record<string, unknown>));
const ncmd = (w: Watcher, birth: Seen, name: string): void => {
  w.client.publish(birth.topic.replace('/NBIRTH/', '/NCMD/'), encodePayload([{ name, type: 'Boolean', value: true, timestamp: Date.now() }], Date.now(), 0), { qos: 1 });
};

describe('cryo run --mqtt', () => {
  it('publishes the birth, telemetry, every event and one summary of a simulated treatment, with no seq gap', async () => {
    const { broker, watcher, dataDir } = await setup();
    // Speed 20: the whole treatment takes about 2 s of real time, so the telemetry worker has
    // connected and published its birth well before it ends (at 50 it lasted under a second with
    // the tissue model's thaw, and a connect slower than that published nothing: the run's events
    // then wait in the outbox for the next start, which is not what this test watches).
    const p = cryo(['--mqtt', broker.url, '--auto-start', '--exit-when-done', '--speed', '20', '--cycles', '1', '--freeze-s', '10', '--thaw-s', '10'], dataDir);
    const exit = await p.exitWithin('the treatment to end', 60_000);
    expect(exit.code).toBe(0);
    const summary = await watcher.waitFor((s) => typeof metricOf(s, 'Treatment/Summary')?.value === 'string');
    expect(JSON.parse(metricOf(summary, 'Treatment/Summary')?.value as string)).toMatchObject({ outcome: 'complete', protocol: { cycles: 1, freezeS: 10, thawS: 10 } });
    expect(watcher.seen.filter((s) => typeof metricOf(s, 'Treatment/Summary')?.value === 'string')).toHaveLength(1);
    const birth = watcher.seen.find((s) => s.type === 'NBIRTH');
    expect(birth?.topic).toMatch(/^spBv1\.0\/cryo-consoles\/NBIRTH\/console-[0-9a-f-]{36}$/);
    expect(watcher.seen.some((s) => s.type === 'NDATA' && typeof metricOf(s, 'Tip/Temperature')?.value === 'number')).toBe(true);
    const kinds = eventBodies(watcher).map((e) => e.kind);
    expect(kinds).toContain('phase');
    expect(kinds).toContain('safe-to-withdraw');
    const seqs = watcher.seen.filter((s) => s.type === 'NBIRTH' || s.type === 'NDATA').map((s) => s.payload.seq ?? -1);
    expect(seqs[0]).toBe(0);
    seqs.slice(1).forEach((seq, i) => { expect(seq).toBe(((seqs[i] ?? 0) + 1) % 256); });
    // A graceful exit publishes NDEATH itself.
    await watcher.waitFor((s) => s.type === 'NDEATH');
  }, 90_000);

  it('refuses a start over the network, stops a freeze on a network stop and records it; a SIGKILL leaves NDEATH to the broker', async () => {
    const { broker, watcher, dataDir } = await setup();
    const p = cryo(['--mqtt', broker.url], dataDir);
    const birth = await p.step('NBIRTH', watcher.waitFor((s) => s.type === 'NBIRTH', 30_000));
    ncmd(watcher, birth, START_COMMAND_METRIC);
    await p.waitFor('the refused start in the log', () => (/start from mqtt .* refused/.test(p.log()) ? true : undefined), 10_000);
    await watcher.waitFor(() => eventBodies(watcher).some((e) => e.kind === 'refused' && e.input === 'start'));
    expect(watcher.seen.some(phaseIs('SelfTest'))).toBe(false);
    // The operator starts at the console; the network stops the freeze.
    p.child.stdin.write('s');
    await p.step('Freezing', watcher.waitFor(phaseIs('Freezing'), 30_000));
    ncmd(watcher, birth, METRICS.commandStop.name);
    await p.step('Stopped', watcher.waitFor(phaseIs('Stopped'), 10_000));
    await watcher.waitFor(() => eventBodies(watcher).some((e) => e.kind === 'remote-command' && e.command === 'stop'));
    // The records worker commits every 250 ms: the remote stop is in the treatment's record.
    const file = recordsPath(dataDir);
    await p.waitFor(
      'the remote stop in the records',
      () => {
        const store = RecordsStore.open(file, { readonly: true });
        try {
          const latest = store.list(1)[0];
          const events = latest === undefined ? [] : (store.get(latest.id)?.events ?? []);
          return events.some((e) => e.kind === 'remote-command' && e.detail.command === 'stop') ? true : undefined;
        } finally {
          store.close();
        }
      },
      10_000,
    );
    const before = watcher.seen.length;
    p.child.kill('SIGKILL');
    const death = await watcher.waitFor((s) => s.type === 'NDEATH', 10_000, before);
    expect(metricOf(death, 'bdSeq')?.value).toBe(metricOf(birth, 'bdSeq')?.value);
  }, 90_000);
});

