// The Sparkplug B pieces without a broker: the protobuf payload through Eclipse Tahu, the message
// sequence, the NCMD parser, the metric catalog and the telemetry options.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUP_ID, DEFAULT_TELEMETRY_RATE_HZ, TelemetryConfigError, parseTelemetryConfig } from '../src/telemetry/config.js';
import { METRICS, QUALITY_BAD, QUALITY_GOOD, birthMetrics, changedMetrics } from '../src/telemetry/metrics.js';
import type { OutMetric } from '../src/telemetry/metrics.js';
import { SEQ_MODULO, SparkplugSequence, decodePayload, encodePayload, nextBdSeq, nodeTopic, parseCommand, START_COMMAND_METRIC } from '../src/telemetry/sparkplug.js';
import { splitSettingsJson } from '../src/runtime/settings-file.js';

const m = (name: string, type: OutMetric['type'], value: OutMetric['value']): OutMetric => ({ name, type, value, timestamp: 5 });

describe('the Sparkplug payload', () => {
  it('round-trips every datatype used, with quality, historical flag, nulls and a 64-bit bdSeq as a number', () => {
    const metrics: OutMetric[] = [
      m('bdSeq', 'UInt64', 255),
      { ...m('Tip/Temperature', 'Double', -61.25), quality: QUALITY_GOOD },
      { ...m('Pressure/Return', 'Double', null), quality: QUALITY_BAD },
      m('State/Cycle', 'Int32', 3),
      m('Loop/Late Ticks', 'UInt32', 4_000_000_000),
      m('Valves/Supply Open', 'Boolean', true),
      { ...m('Event', 'String', '{"kind":"trip"}'), isHistorical: true },
    ];
    const decoded = decodePayload(encodePayload(metrics, 1_796_000_000_000, 7));
    expect(decoded.timestamp).toBe(1_796_000_000_000);
    expect(decoded.seq).toBe(7);
    expect(decoded.metrics.map((x) => [x.name, x.type, x.value, x.timestamp, x.isHistorical, x.quality])).toEqual([
      ['bdSeq', 'UInt64', 255, 5, false, null],
      ['Tip/Temperature', 'Double', -61.25, 5, false, QUALITY_GOOD],
      ['Pressure/Return', 'Double', null, 5, false, QUALITY_BAD],
      ['State/Cycle', 'Int32', 3, 5, false, null],
      ['Loop/Late Ticks', 'UInt32', 4_000_000_000, 5, false, null],
      ['Valves/Supply Open', 'Boolean', true, 5, false, null],
      ['Event', 'String', '{"kind":"trip"}', 5, true, null],
    ]);
  });

  it('leaves seq out of an NDEATH payload', () => {
    expect(decodePayload(encodePayload([m('bdSeq', 'UInt64', 3)], 1, null)).seq).toBeNull();
  });

  it('names topics spBv1.0/group/type/node', () => {
    expect(nodeTopic('fleet', 'NBIRTH', 'console-1')).toBe('spBv1.0/fleet/NBIRTH/console-1');
  });
});

describe('the sequence numbers', () => {
  it('start at 0 at birth and count +1 mod 256 over any number of messages', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), (n) => {
        const s = new SparkplugSequence();
        expect(s.birth()).toBe(0);
        let last = 0;
        for (let i = 0; i < n; i++) {
          const next = s.next();
          expect(next).toBe((last + 1) % SEQ_MODULO);
          last = next;
        }
        expect(s.birth()).toBe(0);
      }),
    );
  });

  it('advances the boot counter 0, 1, ... 255, 0', () => {
    expect(nextBdSeq(null)).toBe(0);
    expect(nextBdSeq(0)).toBe(1);
    expect(nextBdSeq(255)).toBe(0);
  });
});

describe('the metric catalog', () => {
  it('puts every metric in NBIRTH, once, with its datatype', () => {
    const birth = birthMetrics({ bdSeq: 4, atEpochMs: 1, properties: { consoleId: 'c', softwareVersion: 'v', board: 'b' }, state: null, telemetry: null, outboxDropped: 0 });
    expect(birth.map((x) => x.name).sort()).toEqual(Object.values(METRICS).map((x) => x.name).sort());
    for (const def of Object.values(METRICS)) expect(birth.find((x) => x.name === def.name)?.type).toBe(def.type);
  });

  it('reports a metric again only when its value or quality changed', () => {
    const last = new Map([['a', m('a', 'Double', 1)], ['b', { ...m('b', 'Double', null), quality: QUALITY_BAD }]]);
    const next = [m('a', 'Double', 1), { ...m('b', 'Double', null), quality: 500 as const }, m('c', 'Boolean', false)];
    expect(changedMetrics(next, last).map((x) => x.name)).toEqual(['b', 'c']);
  });
});

const command = (metrics: OutMetric[]) => encodePayload(metrics, 1, 0);

describe('NCMD parsing', () => {
  it('accepts rebirth, stop and acknowledge written true, each once', () => {
    const r = parseCommand(command([m(METRICS.commandStop.name, 'Boolean', true), m(METRICS.rebirth.name, 'Boolean', true), m(METRICS.commandStop.name, 'Boolean', true)]));
    expect(r).toEqual({ ok: true, commands: ['stop', 'rebirth'] });
  });

  it('refuses start whole, even beside a stop', () => {
    const r = parseCommand(command([m(METRICS.commandStop.name, 'Boolean', true), m(START_COMMAND_METRIC, 'Boolean', true)]));
    expect(r).toMatchObject({ ok: false, start: true });
  });

  it.each([
    ['bytes that are not protobuf', Buffer.from([0xff, 0xff, 0xff, 0x01]), 'not a Sparkplug B payload'],
    ['no metric', command([]), 'metrics'],
    ['an unknown metric', command([m('Command/Vent', 'Boolean', true)]), 'unknown command metric "Command/Vent"'],
    ['a false value', command([m(METRICS.commandStop.name, 'Boolean', false)]), 'must be Boolean true'],
    ['a string value', command([m(METRICS.commandAcknowledge.name, 'String', 'true')]), 'must be Boolean true'],
    ['too many bytes', Buffer.alloc(5_000), 'payload of 5000 bytes'],
  ])('refuses %s, naming why', (_what, bytes, why) => {
    const r = parseCommand(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.start).toBe(false);
      expect(r.reason).toContain(why);
    }
  });
});

describe('the telemetry options', () => {
  it('is off with no broker, and takes --mqtt over the file', () => {
    expect(parseTelemetryConfig(undefined, undefined, 's.json')).toBeNull();
    const c = parseTelemetryConfig({ url: 'mqtt://fleet.example:1883', username: 'u', password: 'p' }, 'mqtts://127.0.0.1:8883', 's.json');
    expect(c).toMatchObject({ url: 'mqtts://127.0.0.1:8883', groupId: DEFAULT_GROUP_ID, rateHz: DEFAULT_TELEMETRY_RATE_HZ, username: 'u' });
  });

  it.each([
    [{}, 'http://broker', '--mqtt: a broker URL mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (got "http://broker")'],
    [{ rateHz: 50 }, 'mqtt://b', 's.json: telemetry.rateHz: Too big'],
    [{ groupId: 'a/b' }, 'mqtt://b', 's.json: telemetry.groupId: groupId: letters, digits and . _ - only'],
    [{ password: 'secret' }, 'mqtt://b', 's.json: telemetry: username and password come together'],
    [{ tls: { caFile: 'ca.pem' } }, 'mqtt://b', 's.json: telemetry.tls: TLS files are used only with an mqtts:// broker'],
    [{ tls: { certFile: 'c.pem' } }, 'mqtts://b', 's.json: telemetry.tls: certFile and keyFile come together'],
    [{ brokerUrl: 'mqtt://b' }, undefined, 's.json: telemetry: Unrecognized key: "brokerUrl"'],
  ])('refuses %j with --mqtt %s, naming the field', (block, flag, message) => {
    expect(() => parseTelemetryConfig(block, flag, 's.json')).toThrow(TelemetryConfigError);
    expect(() => parseTelemetryConfig(block, flag, 's.json')).toThrow(message);
  });

  // A URL is logged (publishing to..., connection lost): a password in it would be in the run's log.
  it.each([
    ['the file', { url: 'mqtt://console-07:s3cret@fleet.example:1883' }, undefined, 's.json: telemetry.url: credentials in the broker URL are refused'],
    ['--mqtt', {}, 'mqtts://console-07:s3cret@fleet.example:8883', '--mqtt: credentials in the broker URL are refused'],
    ['--mqtt, a user alone', {}, 'mqtt://s3cret@fleet.example', '--mqtt: credentials in the broker URL are refused'],
  ])('refuses credentials in the broker URL from %s, without showing them', (_from, block, flag, message) => {
    expect(() => parseTelemetryConfig(block, flag, 's.json')).toThrow(message);
    expect(() => parseTelemetryConfig(block, flag, 's.json')).toThrow('(credentials hidden)@fleet.example');
    expect(() => parseTelemetryConfig(block, flag, 's.json')).not.toThrow(/s3cret/);
  });

  it('never shows a password in an error', () => {
    expect(() => parseTelemetryConfig({ username: 'u', password: 'x'.repeat(300) }, 'mqtt://b', 's.json')).toThrow('(got (hidden))');
  });

  it("takes the telemetry block out of the settings file before the controller's parse", () => {
    expect(splitSettingsJson({ protocol: { cycles: 2 }, telemetry: { url: 'mqtt://b' } })).toEqual({ controller: { protocol: { cycles: 2 } }, telemetry: { url: 'mqtt://b' } });
    expect(splitSettingsJson({ protocol: {} })).toEqual({ controller: { protocol: {} }, telemetry: undefined });
  });
});
