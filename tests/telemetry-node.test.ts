// The console as a Sparkplug B edge node against an in-process broker (aedes on 127.0.0.1):
// birth, data, death, rebirth, commands, credentials and the outbox across a broker outage.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS, QUALITY_BAD, QUALITY_GOOD, QUALITY_STALE } from '../src/telemetry/metrics.js';
import type { StateFrame, TelemetryFrame } from '../src/telemetry/metrics.js';
import { TelemetryNode } from '../src/telemetry/node.js';
import { Outbox } from '../src/telemetry/outbox.js';
import { encodePayload, START_COMMAND_METRIC } from '../src/telemetry/sparkplug.js';
import type { RemoteCommand } from '../src/telemetry/sparkplug.js';
import { metricOf, startBroker, watchGroup } from './helpers/mqtt-broker.js';
import type { Seen, TestBroker, Watcher } from './helpers/mqtt-broker.js';
import { tempDirMaker } from './helpers/temp.js';

const GROUP = 'test-fleet';
const NODE = 'console-a';
const newDir = tempDirMaker('cryo-telemetry-node-');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const state = (phase: string): StateFrame => ({ phase, cycle: 1, alarms: [], alarmPriority: 'none', safeToWithdraw: false });
const frame = (tipC: number): TelemetryFrame => ({
  atEpochMs: 1_000,
  tipC,
  tipQuality: QUALITY_GOOD,
  supplyBarGauge: 55,
  returnBarAbs: 1.2,
  pressureQuality: QUALITY_GOOD,
  supplyValveOpen: true,
  safetyValveOpen: false,
  loopP99Ms: 0.4,
  loopLateTicks: 0,
  loopMissedTicks: 0,
  telemetryDropped: 0,
  r0Mm: null,
  r20Mm: null,
  r40Mm: null,
  iceBallQuality: QUALITY_BAD,
});

interface Harness {
  readonly node: TelemetryNode;
  readonly outbox: Outbox;
  readonly commands: RemoteCommand[];
  readonly refused: { command: string; reason: string }[];
}

function makeNode(url: string, extra: { username?: string; password?: string; dir?: string } = {}): Harness {
  const outbox = new Outbox(join(extra.dir ?? newDir(), 'records.sqlite'));
  const commands: RemoteCommand[] = [];
  const refused: { command: string; reason: string }[] = [];
  const node = new TelemetryNode({
    url,
    groupId: GROUP,
    edgeNodeId: NODE,
    clientId: `cryo-${NODE}`,
    username: extra.username,
    password: extra.password,
    outbox,
    properties: { consoleId: outbox.consoleId(), softwareVersion: '0.1.0', board: 'sim' },
    nowEpochMs: () => 1_000,
    log: () => undefined,
    onCommand: (c) => commands.push(c),
    onRefused: (command, _from, reason) => refused.push({ command, reason }),
    reconnectMinMs: 20,
    reconnectMaxMs: 100,
  });
  cleanups.push(async () => {
    await node.stop();
    outbox.close();
  });
  return { node, outbox, commands, refused };
}

async function broker(options: Parameters<typeof startBroker>[0] = {}): Promise<TestBroker> {
  const b = await startBroker(options);
  cleanups.push(() => b.close());
  return b;
}

async function watcher(url: string): Promise<Watcher> {
  const w = await watchGroup(url, GROUP);
  cleanups.push(() => w.close());
  return w;
}

const isType = (type: string) => (s: Seen) => s.type === type;

function sendCommand(w: Watcher, metrics: Parameters<typeof encodePayload>[0] | Buffer): void {
  const payload = Buffer.isBuffer(metrics) ? metrics : encodePayload(metrics, 1_000, 0);
  w.client.publish(`spBv1.0/${GROUP}/NCMD/${NODE}`, payload, { qos: 1 });
}

describe('the edge node', () => {
  it('publishes NBIRTH at connect with seq 0, bdSeq and every metric of the catalog', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    const birth = await w.waitFor(isType('NBIRTH'));
    expect(birth.topic).toBe(`spBv1.0/${GROUP}/NBIRTH/${NODE}`);
    expect(birth.payload.seq).toBe(0);
    expect(birth.payload.metrics.map((m) => m.name).sort()).toEqual(Object.values(METRICS).map((m) => m.name).sort());
    for (const def of Object.values(METRICS)) expect(metricOf(birth, def.name)?.type).toBe(def.type);
    expect(metricOf(birth, 'bdSeq')?.value).toBe(h.node.bdSeq);
  });

  it('publishes changed telemetry as NDATA with seq +1 mod 256, and nothing when nothing changed', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    await w.waitFor(isType('NBIRTH'));
    const frames = 300;
    for (let i = 1; i <= frames; i++) h.node.telemetry(frame(-i));
    h.node.telemetry(frame(-frames));
    await w.waitFor((s) => s.type === 'NDATA' && metricOf(s, 'Tip/Temperature')?.value === -frames);
    const data = w.seen.filter(isType('NDATA'));
    expect(data).toHaveLength(frames);
    expect(data.map((d) => d.payload.seq)).toEqual(Array.from({ length: frames }, (_, i) => (i + 1) % 256));
    // Only what changed: the tip, not the steady pressures.
    expect(data[1]?.payload.metrics.map((m) => m.name)).toEqual(['Tip/Temperature']);
  });

  it('publishes a state change at once and marks a stale pressure with quality 500', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    await w.waitFor(isType('NBIRTH'));
    h.node.state(state('Freezing'));
    const s = await w.waitFor((x) => metricOf(x, 'State/Phase')?.value === 'Freezing');
    expect(s.type).toBe('NDATA');
    h.node.telemetry({ ...frame(-60), supplyBarGauge: null, pressureQuality: QUALITY_STALE });
    const t = await w.waitFor((x) => x.type === 'NDATA' && metricOf(x, 'Pressure/Supply') !== undefined);
    expect(metricOf(t, 'Pressure/Supply')).toMatchObject({ value: null, quality: QUALITY_STALE });
  });

  it('publishes the ice-ball radii in mm, changed ones only, and null with quality 0 once no estimate is shown', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    const birth = await w.waitFor(isType('NBIRTH'));
    expect(metricOf(birth, 'Ice Ball/Radius -20C')).toMatchObject({ type: 'Double', value: null, quality: QUALITY_BAD });
    const ice = { r0Mm: 4.1, r20Mm: 2.4, r40Mm: 1.3, iceBallQuality: QUALITY_GOOD } as const;
    h.node.telemetry({ ...frame(-60), ...ice });
    const first = await w.waitFor((x) => x.type === 'NDATA' && metricOf(x, 'Ice Ball/Radius -20C')?.value === 2.4);
    expect([metricOf(first, 'Ice Ball/Radius 0C')?.value, metricOf(first, 'Ice Ball/Radius -40C')?.value]).toEqual([4.1, 1.3]);
    expect(metricOf(first, 'Ice Ball/Radius -20C')?.quality).toBe(QUALITY_GOOD);
    h.node.telemetry({ ...frame(-60), ...ice, r20Mm: 2.5 });
    const second = await w.waitFor((x) => x.type === 'NDATA' && metricOf(x, 'Ice Ball/Radius -20C')?.value === 2.5);
    expect(second.payload.metrics.map((m) => m.name)).toEqual(['Ice Ball/Radius -20C']);
    h.node.telemetry({ ...frame(-60), r0Mm: null, r20Mm: null, r40Mm: null, iceBallQuality: QUALITY_BAD });
    const gone = await w.waitFor((x) => x.type === 'NDATA' && metricOf(x, 'Ice Ball/Radius 0C')?.value === null);
    expect(metricOf(gone, 'Ice Ball/Radius -20C')).toMatchObject({ value: null, quality: QUALITY_BAD });
  });

  it('has its NDEATH (the same bdSeq) published by the broker when its connection dies without a goodbye', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    const birth = await w.waitFor(isType('NBIRTH'));
    expect(b.dropClient(`cryo-${NODE}`)).toBe(true);
    const death = await w.waitFor(isType('NDEATH'));
    expect(metricOf(death, 'bdSeq')?.value).toBe(metricOf(birth, 'bdSeq')?.value);
    expect(death.payload.seq).toBeNull();
    // It comes back with the next boot counter.
    const rebirth = await w.waitFor(isType('NBIRTH'), 5_000, w.seen.indexOf(death));
    expect(metricOf(rebirth, 'bdSeq')?.value).toBe(((metricOf(birth, 'bdSeq')?.value as number) + 1) % 256);
  });

  it('publishes a new NBIRTH (seq 0, same bdSeq) on Node Control/Rebirth', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    const first = await w.waitFor(isType('NBIRTH'));
    h.node.telemetry(frame(-10));
    await w.waitFor(isType('NDATA'));
    sendCommand(w, [{ name: METRICS.rebirth.name, type: 'Boolean', value: true, timestamp: 1 }]);
    const second = await w.waitFor(isType('NBIRTH'), 5_000, w.seen.indexOf(first) + 1);
    expect(second.payload.seq).toBe(0);
    expect(metricOf(second, 'bdSeq')?.value).toBe(metricOf(first, 'bdSeq')?.value);
    expect(metricOf(second, 'Tip/Temperature')?.value).toBe(-10);
    expect(h.commands).toEqual(['rebirth']);
  });

  it('hands a stop and an acknowledge command on, and refuses a start', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    await w.waitFor(isType('NBIRTH'));
    sendCommand(w, [{ name: METRICS.commandStop.name, type: 'Boolean', value: true, timestamp: 1 }]);
    sendCommand(w, [{ name: START_COMMAND_METRIC, type: 'Boolean', value: true, timestamp: 1 }]);
    sendCommand(w, [{ name: METRICS.commandAcknowledge.name, type: 'Boolean', value: true, timestamp: 1 }]);
    await expect.poll(() => h.commands.length + h.refused.length).toBe(3);
    expect(h.commands).toEqual(['stop', 'acknowledge']);
    expect(h.refused.map((r) => r.command)).toEqual(['start']);
    expect(h.refused[0]?.reason).toContain('never accepted over the network');
  });

  it('refuses bad payloads whole: not protobuf, an unknown metric, a false value, a start among stops', async () => {
    const b = await broker();
    const w = await watcher(b.url);
    const h = makeNode(b.url);
    h.node.start();
    await w.waitFor(isType('NBIRTH'));
    sendCommand(w, Buffer.from([0xff, 0xff, 0xff, 0x01]));
    sendCommand(w, [{ name: 'Command/Vent', type: 'Boolean', value: true, timestamp: 1 }]);
    sendCommand(w, [{ name: METRICS.commandStop.name, type: 'Boolean', value: false, timestamp: 1 }]);
    sendCommand(w, [{ name: METRICS.commandStop.name, type: 'Boolean', value: true, timestamp: 1 }, { name: START_COMMAND_METRIC, type: 'Boolean', value: true, timestamp: 1 }]);
    await expect.poll(() => h.refused.length).toBe(4);
    expect(h.commands).toEqual([]);
    expect(h.refused.map((r) => r.command)).toEqual(['invalid', 'invalid', 'invalid', 'start']);
  });

  it('connects only with the configured credentials when the broker asks for them', async () => {
    const b = await broker({
      authenticate: (_client, username, password, done) => {
        done(null, username === 'console' && password?.toString() === 's3cret');
      },
    });
    const w = await watchGroup(b.url, GROUP).catch(() => null);
    expect(w).toBeNull();
    const wrong = makeNode(b.url, { username: 'console', password: 'wrong' });
    const right = makeNode(b.url, { username: 'console', password: 's3cret' });
    wrong.node.start();
    right.node.start();
    await expect.poll(() => right.node.connected).toBe(true);
    expect(wrong.node.connected).toBe(false);
  });

  it('keeps events in the outbox while the broker is away and replays them, historical, after NBIRTH with no seq gap; no telemetry backlog', async () => {
    let b = await startBroker();
    const port = b.port;
    const dir = newDir();
    const h = makeNode(b.url, { dir });
    h.node.start();
    await expect.poll(() => h.node.connected).toBe(true);
    h.node.record('event', 1, { kind: 'phase', to: 'Freezing' });
    await expect.poll(() => h.outbox.size).toBe(0);
    await b.close();
    await expect.poll(() => h.node.connected).toBe(false);
    for (let i = 0; i < 5; i++) {
      h.node.telemetry(frame(-20 - i));
      h.node.record('event', 100 + i, { kind: 'trip', n: i });
    }
    h.node.record('summary', 200, { outcome: 'stopped' });
    expect(h.outbox.size).toBe(6);
    b = await startBroker({ port });
    cleanups.push(() => b.close());
    const w = await watcher(b.url);
    const summary = await w.waitFor((s) => metricOf(s, 'Treatment/Summary')?.value !== undefined && metricOf(s, 'Treatment/Summary')?.value !== null, 10_000);
    const session = w.seen.slice(w.seen.findIndex(isType('NBIRTH')));
    expect(session[0]?.type).toBe('NBIRTH');
    const replay = session.slice(1, 7);
    expect(replay.map((s) => s.payload.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(replay.map((s) => s.payload.metrics[0]?.isHistorical)).toEqual([true, true, true, true, true, true]);
    expect(replay.slice(0, 5).map((s) => JSON.parse(metricOf(s, 'Event')?.value as string) as { n: number })).toEqual([0, 1, 2, 3, 4].map((n) => ({ kind: 'trip', n })));
    expect(metricOf(summary, 'Treatment/Summary')?.timestamp).toBe(200);
    // The telemetry sent while away is gone, not flooded: the NBIRTH carries the latest value.
    expect(metricOf(session[0] as Seen, 'Tip/Temperature')?.value).toBe(-24);
    expect(session.filter((s) => metricOf(s, 'Tip/Temperature') !== undefined)).toHaveLength(1);
    await expect.poll(() => h.outbox.size).toBe(0);
    // A live event after the replay is not historical.
    h.node.record('event', 300, { kind: 'live' });
    const live = await w.waitFor((s) => (metricOf(s, 'Event')?.value as string | undefined)?.includes('live') === true);
    expect(live.payload.metrics[0]?.isHistorical).toBe(false);
    expect(live.payload.seq).toBe(7);
  });
});
