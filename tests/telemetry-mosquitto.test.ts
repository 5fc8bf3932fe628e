// `cryo run --mqtt` end to end against a real Mosquitto (Debian's, tests/helpers/mosquitto.ts) on
// a loopback port (issue 10): a simulated treatment's birth, data, events and summary; the broker
// restarted mid-treatment, after which the events of the outage arrive marked historical with no
// seq gap; a network start refused and a network stop that stops the freeze; NDEATH published by
// the broker when the console is killed; credentials required when the broker asks for them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS } from '../src/telemetry/metrics.js';
import { START_COMMAND_METRIC, encodePayload } from '../src/telemetry/sparkplug.js';
import { spawnCryo } from './helpers/cryo-process.js';
import type { CryoProcess } from './helpers/cryo-process.js';
import { startMosquitto } from './helpers/mosquitto.js';
import type { Mosquitto } from './helpers/mosquitto.js';
import { metricOf, watchGroup } from './helpers/mqtt-broker.js';
import type { Seen, Watcher } from './helpers/mqtt-broker.js';
import { tempDirMaker } from './helpers/temp.js';

const GROUP = 'cryo-consoles';
const newDir = tempDirMaker('cryo-telemetry-mosquitto-');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(options: Parameters<typeof startMosquitto>[0] = {}): Promise<Mosquitto> {
  const b = await startMosquitto(options);
  cleanups.push(() => b.dispose());
  return b;
}

async function watch(url: string): Promise<Watcher> {
  const w = await watchGroup(url, GROUP);
  cleanups.push(() => w.close());
  return w;
}

function cryo(args: string[], dataDir: string): CryoProcess {
  const p = spawnCryo(['run', '--board', 'boards/sim.json', '--no-web', '--data-dir', dataDir, ...args], { ...process.env, CRYO_DATA_DIR: dataDir });
  cleanups.push(() => p.stop());
  return p;
}

const phaseIs = (phase: string) => (s: Seen) => metricOf(s, 'State/Phase')?.value === phase;
const eventOf = (s: Seen): Record<string, unknown> | null => {
  const m = metricOf(s, 'Event');
  return typeof m?.value === 'string' ? (JSON.parse(m.value) as Record<string, unknown>) : null;
};
const ncmd = (w: Watcher, birth: Seen, name: string): void => {
  w.client.publish(birth.topic.replace('/NBIRTH/', '/NCMD/'), encodePayload([{ name, type: 'Boolean', value: true, timestamp: Date.now() }], Date.now(), 0), { qos: 1 });
};
/** Every message of a session (NBIRTH and what follows it) carries seq +1 mod 256. */
function expectNoSeqGap(session: readonly Seen[]): void {
  const seqs = session.filter((s) => s.type === 'NBIRTH' || s.type === 'NDATA').map((s) => s.payload.seq ?? -1);
  expect(seqs[0]).toBe(0);
  seqs.slice(1).forEach((seq, i) => {
    expect(seq).toBe(((seqs[i] ?? 0) + 1) % 256);
  });
}

describe('cryo run --mqtt with Mosquitto', () => {
  it('publishes the birth, telemetry, every event and one summary of a simulated treatment, with no seq gap', async () => {
    const b = await broker();
    const w = await watch(b.url);
    // Speed 20, as in telemetry-run.test.ts: the treatment lasts about 2 s of real time, so the
    // telemetry worker has connected and published its birth well before it ends (at 50 it ends
    // in about a second, and a connect slower than that loses the race).
    const p = cryo(['--mqtt', b.url, '--auto-start', '--exit-when-done', '--speed', '20', '--cycles', '1', '--freeze-s', '10', '--thaw-s', '10'], newDir());
    expect((await p.exitWithin('the treatment to end', 60_000)).code).toBe(0);
    const summary = await w.waitFor((s) => typeof metricOf(s, 'Treatment/Summary')?.value === 'string');
    expect(JSON.parse(metricOf(summary, 'Treatment/Summary')?.value as string)).toMatchObject({ outcome: 'complete', protocol: { cycles: 1, freezeS: 10, thawS: 10 } });
    expect(w.seen.filter((s) => typeof metricOf(s, 'Treatment/Summary')?.value === 'string')).toHaveLength(1);
    expect(w.seen.some((s) => s.type === 'NDATA' && typeof metricOf(s, 'Tip/Temperature')?.value === 'number')).toBe(true);
    const kinds = w.seen.map(eventOf).filter((e) => e !== null).map((e) => e.kind);
    expect(kinds).toContain('phase');
    expect(kinds).toContain('safe-to-withdraw');
    expectNoSeqGap(w.seen);
    await w.waitFor((s) => s.type === 'NDEATH');
  }, 90_000);

  it('keeps the events of a broker outage and sends them, historical, after the new NBIRTH with no seq gap', async () => {
    let b = await broker();
    const port = b.port;
    const first = await watch(b.url);
    const p = cryo(['--mqtt', b.url, '--auto-start', '--cycles', '1', '--freeze-s', '10', '--thaw-s', '10'], newDir());
    await p.step('Freezing on the broker', first.waitFor(phaseIs('Freezing'), 30_000));
    await b.stop();
    // The freeze ends while the broker is away: its phase change is an event of the outage.
    await p.waitFor('the thaw while the broker is down', () => (p.log().includes('phase Freezing -> Thawing') ? true : undefined), 30_000);
    b = await broker({ port });
    const second = await watch(b.url);
    const thawEvent = await p.step(
      'the outage event after the reconnect',
      second.waitFor((s) => eventOf(s)?.kind === 'phase' && eventOf(s)?.to === 'Thawing', 60_000),
    );
    expect(thawEvent.payload.metrics.find((m) => m.name === 'Event')?.isHistorical).toBe(true);
    const session = second.seen.slice(second.seen.findIndex((s) => s.type === 'NBIRTH'));
    expect(session[0]?.type).toBe('NBIRTH');
    expectNoSeqGap(session);
    // Telemetry of the outage is not queued: one NBIRTH then live data, never a backlog of frames.
    const framesBeforeThaw = session.slice(0, session.indexOf(thawEvent)).filter((s) => s.type === 'NDATA' && metricOf(s, 'Tip/Temperature') !== undefined);
    expect(framesBeforeThaw.length).toBeLessThanOrEqual(2);
  }, 120_000);

  it('refuses a network start, stops a freeze on a network stop, and leaves NDEATH to the broker when killed', async () => {
    const b = await broker();
    const w = await watch(b.url);
    const p = cryo(['--mqtt', b.url, '--cycles', '1', '--freeze-s', '30', '--thaw-s', '10'], newDir());
    const birth = await p.step('NBIRTH', w.waitFor((s) => s.type === 'NBIRTH', 30_000));
    ncmd(w, birth, START_COMMAND_METRIC);
    await p.waitFor('the refused start in the log', () => (/start from mqtt .* refused/.test(p.log()) ? true : undefined), 10_000);
    expect(w.seen.some(phaseIs('SelfTest'))).toBe(false);
    p.child.stdin.write('s');
    await p.step('Freezing', w.waitFor(phaseIs('Freezing'), 30_000));
    ncmd(w, birth, METRICS.commandStop.name);
    await p.step('Stopped', w.waitFor(phaseIs('Stopped'), 10_000));
    const before = w.seen.length;
    p.child.kill('SIGKILL');
    const death = await w.waitFor((s) => s.type === 'NDEATH', 10_000, before);
    expect(metricOf(death, 'bdSeq')?.value).toBe(metricOf(birth, 'bdSeq')?.value);
  }, 90_000);

  it('connects only with the credentials the broker asks for', async () => {
    const credentials = { username: 'console-7', password: 'pa55-word' };
    const b = await broker({ credentials });
    const dataDir = newDir();
    const settingsWith = (password: string): string => {
      const file = join(dataDir, `settings-${password}.json`);
      writeFileSync(file, JSON.stringify({ telemetry: { username: credentials.username, password } }));
      return file;
    };
    const watcher = await watchGroup(b.url.replace('mqtt://', `mqtt://${credentials.username}:${credentials.password}@`), GROUP);
    cleanups.push(() => watcher.close());
    const wrong = cryo(['--mqtt', b.url, '--settings', settingsWith('wrong-one')], dataDir);
    await wrong.waitFor('the refused connection in the log', () => (/not authori[sz]ed|bad user ?name or password/i.test(wrong.log()) ? true : undefined), 20_000);
    expect(watcher.seen.filter((s) => s.type === 'NBIRTH')).toHaveLength(0);
    await wrong.stop();
    const right = cryo(['--mqtt', b.url, '--settings', settingsWith(credentials.password)], dataDir);
    await right.step('NBIRTH with the right credentials', watcher.waitFor((s) => s.type === 'NBIRTH', 30_000));
  }, 90_000);
});
