// The telemetry's options at the command line's boundary (the settings file's `telemetry` block
// and --mqtt, TLS files read at start), TLS to an mqtts:// broker with a client certificate, and
// the outbox's bound and boot counter across restarts.
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.js';
import { telemetrySetup } from '../src/cli/run-telemetry.js';
import { loadSettingsFile } from '../src/runtime/settings-file.js';
import { TelemetryNode } from '../src/telemetry/node.js';
import { Outbox } from '../src/telemetry/outbox.js';
import { cryo } from './helpers/cli.js';
import { startBroker } from './helpers/mqtt-broker.js';
import { tempDirForFile, tempDirMaker } from './helpers/temp.js';

const newDir = tempDirMaker('cryo-telemetry-options-');
const certs = tempDirForFile('cryo-telemetry-certs-');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function settingsFile(content: unknown): string {
  const file = join(newDir(), 'settings.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('the settings file telemetry block', () => {
  it('is read for the telemetry and left out of the controller settings', () => {
    const file = settingsFile({ protocol: { cycles: 2, freezeS: 60, thawS: 30 }, telemetry: { url: 'mqtt://127.0.0.1:1883', groupId: 'north', rateHz: 2 } });
    expect(loadSettingsFile(file).protocol.cycles).toBe(2);
    expect(telemetrySetup({ settings: file })?.config).toMatchObject({ url: 'mqtt://127.0.0.1:1883', groupId: 'north', rateHz: 2 });
  });

  it('is checked against its schema by every verb that reads the settings file, not only by run', async () => {
    const file = settingsFile({ telemetry: { url: 'mqtt://127.0.0.1', brokerUrl: 'mqtt://b' } });
    expect(() => loadSettingsFile(file)).toThrow(`${file}: telemetry: Unrecognized key: "brokerUrl"`);
    const r = await cryo(['simulate', '--settings', file, '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`cryo: ${file}: telemetry: Unrecognized key: "brokerUrl"\n`);
    // What depends on --mqtt stays the run's: a file's mqtt:// url with TLS files is fine for simulate.
    expect(loadSettingsFile(settingsFile({ telemetry: { url: 'mqtt://127.0.0.1', tls: { caFile: 'ca.pem' } } })).protocol.cycles).toBe(3);
  });

  it('is off with neither --mqtt nor a url', () => {
    expect(telemetrySetup({ settings: settingsFile({ telemetry: { groupId: 'north' } }) })).toBeNull();
    expect(telemetrySetup({})).toBeNull();
  });

  it('stops the run with a usage error naming the field and value', () => {
    const file = settingsFile({ telemetry: { url: 'mqtt://127.0.0.1', rateHz: 0 } });
    expect(() => telemetrySetup({ settings: file })).toThrow(UsageError);
    expect(() => telemetrySetup({ settings: file })).toThrow(`${file}: telemetry.rateHz: Too small`);
    expect(() => telemetrySetup({ mqtt: 'ws://127.0.0.1' })).toThrow('--mqtt: a broker URL mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (got "ws://127.0.0.1")');
  });

  it.each([
    ['a FIFO (it held cryo run at start-up)', 'fifo', "cannot be read: TLS file is not a regular file (a FIFO)"],
    ['/dev/zero', 'zero', 'cannot be read: TLS file is not a regular file (a device)'],
    ['an empty file (the worker refused it for ever)', 'empty', "holds no PEM block ('-----BEGIN ...'): give the file in PEM form"],
    ['a file over 1 MB', 'big', 'cannot be read: TLS file is 1000001 bytes, more than the 1000000 allowed'],
  ])('refuses as a TLS file %s, naming the field and the file', (_what, kind, says) => {
    const dir = newDir();
    const path = join(dir, `${kind}.pem`);
    if (kind === 'fifo') execFileSync('mkfifo', [path]);
    else if (kind === 'zero') symlinkSync('/dev/zero', path);
    else writeFileSync(path, kind === 'big' ? 'x'.repeat(1_000_001) : '');
    const file = settingsFile({ telemetry: { url: 'mqtts://127.0.0.1', tls: { caFile: path } } });
    expect(() => telemetrySetup({ settings: file })).toThrow(UsageError);
    expect(() => telemetrySetup({ settings: file })).toThrow(`telemetry.tls.caFile: '${path}' ${says}`);
  });

  it('names a TLS file it cannot read', () => {
    const file = settingsFile({ telemetry: { url: 'mqtts://127.0.0.1', tls: { caFile: '/nonexistent/ca.pem' } } });
    expect(() => telemetrySetup({ settings: file })).toThrow("telemetry.tls.caFile: '/nonexistent/ca.pem' cannot be read");
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const key = (name: string): void => { openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`); };
  key('ca');
  openssl('req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=cryo test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const name of ['server', 'client']) {
    key(name);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...(name === 'server' ? ['-extfile', 'server.ext'] : []));
  }
}

describe('mqtts://', () => {
  beforeAll(() => {
    makeCertificates(certs);
  });
  const pem = (name: string): Buffer => readFileSync(join(certs, name));

  function node(url: string, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }): TelemetryNode & { warnings: string[] } {
    const warnings: string[] = [];
    const outbox = new Outbox(join(newDir(), 'records.sqlite'));
    const n = new TelemetryNode({
      url,
      groupId: 'g',
      edgeNodeId: 'tls-node',
      clientId: `tls-${Math.random().toString(36).slice(2)}`,
      ...tls,
      outbox,
      properties: { consoleId: 'c', softwareVersion: 'v', board: 'b' },
      nowEpochMs: () => 1,
      log: (_level, msg) => warnings.push(msg),
      onCommand: () => undefined,
      onRefused: () => undefined,
      reconnectMinMs: 20,
      reconnectMaxMs: 100,
    });
    cleanups.push(async () => {
      await n.stop();
      outbox.close();
    });
    return Object.assign(n, { warnings });
  }

  it('connects with the CA, its client certificate and key; not without the certificate, nor without the CA', async () => {
    const broker = await startBroker({ tls: { key: pem('server.key'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: true } });
    cleanups.push(() => broker.close());
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:/);
    const full = node(broker.url, { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') });
    const noClientCert = node(broker.url, { ca: pem('ca.pem') });
    const noCa = node(broker.url, { cert: pem('client.pem'), key: pem('client.key') });
    for (const n of [full, noClientCert, noCa]) n.start();
    await expect.poll(() => full.connected).toBe(true);
    // Each of the others has been turned away at least once, and never got in.
    await expect.poll(() => noClientCert.warnings.length > 0 && noCa.warnings.length > 0).toBe(true);
    expect(noCa.warnings.join(' ')).toMatch(/certificate/i);
    expect(noClientCert.connected).toBe(false);
    expect(noCa.connected).toBe(false);
  });
});

describe('the outbox', () => {
  it('keeps at most its bound, dropping the oldest and counting them', () => {
    const outbox = new Outbox(join(newDir(), 'records.sqlite'), 3);
    cleanups.push(() => { outbox.close(); });
    for (let i = 1; i <= 5; i++) outbox.add(i, 'event', JSON.stringify({ i }));
    expect(outbox.size).toBe(3);
    expect(outbox.dropped).toBe(2);
    expect(outbox.after(0, 10).map((r) => JSON.parse(r.body) as { i: number })).toEqual([{ i: 3 }, { i: 4 }, { i: 5 }]);
  });

  it('keeps its rows and the boot counter across a restart, the counter wrapping at 256', () => {
    const file = join(newDir(), 'records.sqlite');
    const first = new Outbox(file);
    expect(first.takeBdSeq()).toBe(0);
    expect(first.takeBdSeq()).toBe(1);
    first.add(1, 'summary', '{}');
    first.close();
    const second = new Outbox(file);
    cleanups.push(() => { second.close(); });
    expect(second.takeBdSeq()).toBe(2);
    expect(second.size).toBe(1);
    for (let i = 3; i < 256; i++) second.takeBdSeq();
    expect(second.takeBdSeq()).toBe(0);
  });
});
