// The table of rate buckets (issue 9, review 9b): AddressRates keeps at most MAX_RATE_ADDRESSES.
// Churn from many addresses must not grow it: every new address prunes the buckets that have
// refilled (the same as new ones) before it is given one or refused.
import { describe, expect, it } from 'vitest';
import { AddressRates, MAX_RATE_ADDRESSES, RATE_BURST_MESSAGES, RATE_MESSAGES_PER_S } from '../src/console/server/rate.js';

/** Long enough for a spent bucket to refill: then it is the same as a new one and is dropped. */
const REFILL_MS = (1_000 * RATE_BURST_MESSAGES) / RATE_MESSAGES_PER_S;

describe('the rate table', () => {
  it('stays within MAX_RATE_ADDRESSES when addresses come and go, each still getting a bucket', () => {
    const rates = new AddressRates();
    for (let i = 0; i < 4 * MAX_RATE_ADDRESSES; i++) {
      const address = `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      const nowMs = i * REFILL_MS;
      const bucket = rates.attach(address, nowMs);
      expect(bucket?.take(nowMs)).toBe(true);
      rates.release(address);
    }
    expect(rates.size).toBeLessThanOrEqual(MAX_RATE_ADDRESSES);
  });

  it('refuses a new address while the table is full of addresses still limited, and takes it once one has refilled', () => {
    const rates = new AddressRates(2);
    for (const address of ['a', 'b']) {
      rates.attach(address, 0)?.take(0);
      rates.release(address);
    }
    expect(rates.attach('c', 0)).toBeNull();
    expect(rates.size).toBe(2);
    expect(rates.attach('c', REFILL_MS)).not.toBeNull();
    expect(rates.size).toBe(1);
  });
});
