// The table of rate buckets (issue 9, review 9b): AddressRates keeps at most MAX_RATE_ADDRESSES,
// but an attach with `always` (never refused for room) did not prune, so churn from many addresses
// grew the table without bound as long as no other attach pruned it.
import { describe, expect, it } from 'vitest';
import { AddressRates, MAX_RATE_ADDRESSES, RATE_BURST_MESSAGES, RATE_MESSAGES_PER_S } from '../src/console/server/rate.js';

/** Long enough for a spent bucket to refill: then it is the same as a new one and is dropped. */
const REFILL_MS = (1_000 * RATE_BURST_MESSAGES) / RATE_MESSAGES_PER_S;

describe('the rate table', () => {
  it('stays within MAX_RATE_ADDRESSES when addresses attached with `always` come and go', () => {
    const rates = new AddressRates();
    for (let i = 0; i < 4 * MAX_RATE_ADDRESSES; i++) {
      const address = `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      const nowMs = i * REFILL_MS;
      const bucket = rates.attach(address, nowMs, true);
      expect(bucket?.take(nowMs)).toBe(true);
      rates.release(address);
    }
    expect(rates.size).toBeLessThanOrEqual(MAX_RATE_ADDRESSES);
  });

  it('still gives `always` a bucket when the table is full of addresses still limited, and refuses others', () => {
    const rates = new AddressRates(2);
    for (const address of ['a', 'b']) rates.attach(address, 0)?.take(0);
    expect(rates.attach('c', 0)).toBeNull();
    expect(rates.attach('kiosk', 0, true)).not.toBeNull();
    expect(rates.size).toBe(3);
  });
});
