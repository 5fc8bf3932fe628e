// The Mosquitto the telemetry's end-to-end tests start (tests/helpers/mosquitto.ts): a real broker
// on a loopback port, a message through it, credentials required when asked, and nothing left.
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from './helpers/mosquitto.js';
import type { Mosquitto } from './helpers/mosquitto.js';

let broker: Mosquitto | null = null;
afterEach(async () => {
  await broker?.dispose();
  broker = null;
});

describe('the test Mosquitto', () => {
  it('carries a QoS 1 message on 127.0.0.1', async () => {
    broker = await startMosquitto();
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    try {
      const got = new Promise<string>((resolve) => {
        client.once('message', (_topic, payload) => {
          resolve(payload.toString());
        });
      });
      await client.subscribeAsync('t/#', { qos: 1 });
      await client.publishAsync('t/x', 'hello', { qos: 1 });
      expect(await got).toBe('hello');
    } finally {
      await client.endAsync();
    }
  });

  it('refuses an anonymous client when credentials are required, and accepts the right ones', async () => {
    broker = await startMosquitto({ credentials: { username: 'console', password: 's3cret' } });
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized|Bad username or password/i);
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, username: 'console', password: 'wrong' })).rejects.toThrow(/Not authorized|Bad username or password/i);
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, username: 'console', password: 's3cret' });
    await client.endAsync();
  });
});
