// SAFE TO WITHDRAW and the unknown tip, judged by the control step from the tip's own reading:
// the dwell above 0 C plus the margin, counted from the later of the first warm sample and the
// last gas flow, and the movement the reading must show over it to count as alive (a sensor stuck
// at a warm value must not declare a tip it never saw). Power-up runs: a console switched on with
// the probe in place, no treatment, unless a test says otherwise.
import { describe, expect, it } from 'vitest';
import type { TipSample } from '../hal/contract.js';
import { calibrated, uncalibrated } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import { debounceSamples } from '../src/controller/interlocks.js';
import { TIP_UNUSABLE_DEBOUNCE_MS } from '../src/controller/step.js';
import type { ControllerEvent } from '../src/controller/types.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, RETURN_FLOWING_BAR, SHORT_PROTOCOL, drive, inPhase, nominalReadings, normalUntil, trips } from './helpers/readings.js';

const DWELL_MS = DEFAULT_SETTINGS.thaw.withdrawDwellMs;
const MARGIN_C = DEFAULT_SETTINGS.thaw.withdrawMarginC;
const SHORT = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);

/** Readings at `nowMs` from `o(nowMs)`, on every 50 Hz step from power-up at 0 ms. */
function poweredUp(o: (nowMs: number) => ReadingOverrides, { durationMs = 2 * DWELL_MS, settings = DEFAULT_SETTINGS } = {}) {
  return drive((nowMs) => nominalReadings(nowMs, o(nowMs)), { settings, durationMs });
}

const safeEvents = (events: readonly ControllerEvent[]) => events.filter((e) => e.kind === 'safe-to-withdraw');
const tipUnknown = (events: readonly ControllerEvent[]) => events.filter((e) => e.kind === 'tip-unknown');
/** A live warm tip: 20 C with a 0.1 C ripple (never constant, never below the margin). */
const alive = (nowMs: number): number => 20 + 0.1 * Math.sin((2 * Math.PI * nowMs) / 1_700);

describe('SAFE TO WITHDRAW from power-up', () => {
  it('is declared once a live warm tip has read above the margin for the dwell, and not a step earlier', () => {
    const d = poweredUp((now) => ({ tipC: alive(now) }));
    expect(safeEvents(d.events)).toEqual([{ kind: 'safe-to-withdraw', atMs: DWELL_MS, safe: true }]);
    expect(tipUnknown(d.events)).toEqual([]);
  });

  it('is declared on a tip that only warms, without any ripple', () => {
    const d = poweredUp((now) => ({ tipC: 10 + now / 1000 }));
    expect(safeEvents(d.events)).toEqual([{ kind: 'safe-to-withdraw', atMs: DWELL_MS, safe: true }]);
    expect(tipUnknown(d.events)).toEqual([]);
  });

  it('is declared on a warm tip that only cools (a probe cooling from body heat in room air)', () => {
    const d = poweredUp((now) => ({ tipC: 37 - now / 1000 }));
    expect(safeEvents(d.events)).toEqual([{ kind: 'safe-to-withdraw', atMs: DWELL_MS, safe: true }]);
    expect(tipUnknown(d.events)).toEqual([]);
  });

  it('counts a reading that moved exactly tip.stuckMinSpanC over the dwell as alive', () => {
    const settings = parseSettings({ tip: { stuckMinSpanC: 0.25 } });
    const d = poweredUp((now) => ({ tipC: now === 0 ? 20 : 20.25 }), { settings });
    expect(safeEvents(d.events)).toEqual([{ kind: 'safe-to-withdraw', atMs: DWELL_MS, safe: true }]);
    expect(tipUnknown(d.events)).toEqual([]);
  });

  it('makes the tip unknown, naming the value and how long, when the reading moved less than tip.stuckMinSpanC', () => {
    const settings = parseSettings({ tip: { stuckMinSpanC: 0.25 } });
    const d = poweredUp((now) => ({ tipC: now === 0 ? 20 : 20.125 }), { settings });
    expect(safeEvents(d.events)).toEqual([]);
    expect(tipUnknown(d.events)).toEqual([
      { kind: 'tip-unknown', atMs: DWELL_MS, reason: `tip reading constant at 20.13 C for ${DWELL_MS} ms, with no gas flow since power-up: the sensor may be stuck` },
    ]);
  });

  it('is never declared while the tip sample is stale, however warm it reads', () => {
    const d = poweredUp(() => ({ tipC: 20, tipAtMs: 0 }));
    expect(d.steps.filter((r) => r.state.safeToWithdraw)).toEqual([]);
  });

  it('is never declared while a back-end reports its device lost', () => {
    const d = poweredUp((now) => ({ tipC: alive(now), halFault: 'sim: device lost' }));
    expect(d.steps.filter((r) => r.state.safeToWithdraw)).toEqual([]);
  });

  it('is never declared while one channel of a two-channel probe is open, the other warm', () => {
    const d = poweredUp((now) => {
      const tips: TipSample[] = [
        { tipC: alive(now), coldJunctionC: 25, fault: null, atMs: now },
        { tipC: 20, coldJunctionC: 25, fault: 'open', atMs: now },
      ];
      return { tips };
    });
    expect(d.steps.filter((r) => r.state.safeToWithdraw)).toEqual([]);
  });

  it('is never declared on a warm flicker among samples exactly at 0 C plus the margin', () => {
    const d = poweredUp((now) => ({ tipC: now % 40 === 0 ? MARGIN_C : MARGIN_C + 1 }));
    expect(d.steps.filter((r) => r.state.safeToWithdraw)).toEqual([]);
  });
});

describe('SAFE TO WITHDRAW and gas flow after the tip was warm', () => {
  const PUFF_MS = 8_000;

  it('is withdrawn when the return line shows gas flowing, and declared again a full dwell later', () => {
    const d = poweredUp((now) => ({ tipC: alive(now), returnBarAbs: now === PUFF_MS ? RETURN_FLOWING_BAR : undefined }), { durationMs: PUFF_MS + 2 * DWELL_MS });
    expect(safeEvents(d.events)).toEqual([
      { kind: 'safe-to-withdraw', atMs: DWELL_MS, safe: true },
      { kind: 'safe-to-withdraw', atMs: PUFF_MS, safe: false },
      { kind: 'safe-to-withdraw', atMs: PUFF_MS + DWELL_MS, safe: true },
    ]);
    expect(d.events.filter((e) => e.kind === 'trip')).toEqual([]);
  });

  it('judges the movement only from samples after the gas flowed: constant since then makes the tip unknown', () => {
    // The tip moved while the gas flowed (20.5 C in that step) and reads a constant 20 C after.
    const d = poweredUp(
      (now) => (now < PUFF_MS ? { tipC: alive(now) } : now === PUFF_MS ? { tipC: 20.5, returnBarAbs: RETURN_FLOWING_BAR } : { tipC: 20 }),
      { durationMs: PUFF_MS + 2 * DWELL_MS },
    );
    expect(safeEvents(d.events)).toEqual([
      { kind: 'safe-to-withdraw', atMs: DWELL_MS, safe: true },
      { kind: 'safe-to-withdraw', atMs: PUFF_MS, safe: false },
    ]);
    expect(tipUnknown(d.events)).toEqual([
      {
        kind: 'tip-unknown',
        atMs: PUFF_MS + DWELL_MS,
        reason: `tip reading constant at 20.00 C for ${DWELL_MS - 20} ms after gas last flowed: the sensor may be stuck`,
      },
    ]);
  });
});

describe('SAFE TO WITHDRAW inside a treatment', () => {
  it('is not declared in a normal thaw, though the tip reads live and above the margin for longer than the dwell', () => {
    const d = drive(new NormalPatient().script(), { settings: SHORT, until: inPhase('Complete') });
    const thawing = d.steps.filter((r) => r.state.phase === 'Thawing');
    const warmThawing = thawing.filter((r) => (r.readings.tips[0]?.tipC ?? Number.NaN) > MARGIN_C);
    // Precondition: the thaw holds a warm stretch longer than the dwell (the patient warms in about 9 s).
    expect(warmThawing.length * 20).toBeGreaterThan(DWELL_MS + 1_000);
    expect(thawing.filter((r) => r.state.safeToWithdraw)).toEqual([]);
    expect(tipUnknown(d.events)).toEqual([]);
  });

  it('is not declared in the freeze\'s verify window, even on a live warm reading longer than the dwell after the gas stopped', () => {
    // The longest verify window with the shortest dwell: the dwell ends inside the Freezing phase.
    const settings = parseSettings({ protocol: SHORT_PROTOCOL, valves: { closeVerifyMs: 5_000 }, thaw: { withdrawDwellMs: 2_000 } });
    const patient = new NormalPatient();
    const { at } = normalUntil(settings, (r) => r.state.sub === 'freeze-verify-closed', patient);
    const d = drive(patient.script((now) => ({ tipC: alive(now) })), { settings, state: at.state, until: inPhase('Thawing') });
    const verifying = d.steps.filter((r) => r.state.phase === 'Freezing');
    expect(verifying.at(-1)?.nowMs).toBeGreaterThan(at.lastMs + 2_000 + 100);
    expect(verifying.filter((r) => r.state.safeToWithdraw)).toEqual([]);
    expect(trips(d.events)).toEqual([]);
  });
});

describe('the tip becomes unknown once, for its first reason', () => {
  /** A normal treatment stopped 10 s into its first freeze (tip near -65 C), then `o` from 1 s after the stop. */
  function afterStop(o: ReadingOverrides) {
    const patient = new NormalPatient();
    const { at } = normalUntil(SHORT, inPhase('Freezing', 10_000), patient);
    const stopMs = at.lastMs + 20;
    const d = drive(patient.script((now) => ({ operator: { stop: now === stopMs }, ...(now >= stopMs + 1_000 ? o : {}) })), {
      settings: SHORT,
      state: at.state,
      durationMs: 3_000,
    });
    expect(d.state.phase).toBe('Stopped');
    return { stopMs, d };
  }

  it('after a stop, unplugging the probe makes the tip unknown, naming why', () => {
    const { stopMs, d } = afterStop({ probePresent: false });
    expect(tipUnknown(d.events)).toEqual([
      { kind: 'tip-unknown', atMs: stopMs + 1_000 + TIP_UNUSABLE_DEBOUNCE_MS, reason: 'tip reading unusable after the treatment: probe not present' },
    ]);
  });

  it('after a stop, a calibration that becomes unusable (the record read again, expired) makes the tip unknown, naming why, and never SAFE TO WITHDRAW', () => {
    const expired = uncalibrated('T', "probe 'P1': calibration expired at 2026-12-04T00:00:00.000Z: recalibrate it");
    const { stopMs, d } = afterStop({ calibration: expired });
    expect(tipUnknown(d.events)).toEqual([
      { kind: 'tip-unknown', atMs: stopMs + 1_000 + TIP_UNUSABLE_DEBOUNCE_MS, reason: `tip reading unusable after the treatment: ${expired.problem ?? ''}` },
    ]);
    expect(d.steps.filter((r) => r.nowMs >= stopMs + 1_000 && r.state.safeToWithdraw)).toEqual([]);
  });

  it('after a stop, a usable calibration read again (another usable record) leaves the tip trusted (no false trip)', () => {
    // The reading the stop ends on is -65 C: only the trust is judged here, not the warmth.
    const { d } = afterStop({ calibration: calibrated('T', 0.2, 1.001, 0.4) });
    expect(tipUnknown(d.events)).toEqual([]);
    expect(d.state.tipDistrust).toBeNull();
  });

  it('before any gas has flowed, an unusable calibration does not make the tip unknown (CALIBRATION_INVALID blocks the start)', () => {
    const d = poweredUp((now) => ({ tipC: alive(now), calibration: uncalibrated('T', 'no record') }));
    expect(tipUnknown(d.events)).toEqual([]);
    expect(d.state.tipDistrust).toBeNull();
  });

  it('after a stop, a tip sample that stops updating makes the tip unknown, naming the sample', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SHORT, inPhase('Freezing', 10_000), patient);
    const stopMs = at.lastMs + 20;
    const lastSampleMs = stopMs + 1_000;
    const d = drive(patient.script((now) => ({ operator: { stop: now === stopMs }, tipAtMs: Math.min(now, lastSampleMs) })), {
      settings: SHORT,
      state: at.state,
      durationMs: 3_000,
    });
    const events = tipUnknown(d.events);
    expect(events).toHaveLength(1);
    expect(events[0]?.reason).toMatch(/^tip reading unusable after the treatment: tip channel 0 sample is \d+ ms old \(limit 100 ms\)$/);
    expect(d.state.phase).toBe('Stopped');
  });

  it('keeps the first reason: a thermocouple open from mid-freeze makes one tip-unknown event, for its trip', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SHORT, inPhase('Freezing', 10_000), patient);
    const d = drive(patient.script(() => ({ fault: 'open' })), { settings: SHORT, state: at.state, durationMs: 2_000 });
    expect(d.state.phase).toBe('Fault');
    const events = tipUnknown(d.events);
    expect(events).toHaveLength(1);
    expect(events[0]?.reason).toMatch(/^THERMOCOUPLE_FAULT: /);
    expect(d.state.tipDistrust?.reason).toBe(events[0]?.reason);
  });

  it('is not declared unknown at power-up with the probe unplugged: no gas has flowed, nothing can be frozen', () => {
    const d = poweredUp((now) => ({ tipC: alive(now), probePresent: false }));
    expect(tipUnknown(d.events)).toEqual([]);
    expect(d.state.tipDistrust).toBeNull();
  });
});

describe('a tip reading unusable after the treatment for less than TIP_UNUSABLE_DEBOUNCE_MS (a glitch)', () => {
  const PERIOD_MS = 20;
  /** Unusable samples of the last 2k that make the tip unknown at 50 Hz (the rows' rule: 6). */
  const UNUSABLE_K = debounceSamples(TIP_UNUSABLE_DEBOUNCE_MS, PERIOD_MS);
  const EXPIRED = uncalibrated('T', "probe 'P1': calibration expired at 2026-12-04T00:00:00.000Z: recalibrate it");
  /** Each way a reading is unusable after gas: a fault bit, the probe off, the calibration unusable. */
  const GLITCHES: readonly (readonly [string, ReadingOverrides])[] = [
    ['a thermocouple fault bit', { fault: 'open' }],
    ['the probe reading absent', { probePresent: false }],
    ['the calibration answering unusable', { calibration: EXPIRED }],
  ];

  /** A treatment stopped 10 s into its first freeze, the tip then read thawed and live from 1 s
   * after the stop, with `bad(now)` ticks reading `o` instead. */
  function stoppedThenWarm(o: ReadingOverrides, bad: (nowMs: number, stopMs: number) => boolean) {
    const patient = new NormalPatient();
    const { at } = normalUntil(SHORT, inPhase('Freezing', 10_000), patient);
    const stopMs = at.lastMs + PERIOD_MS;
    const d = drive(
      patient.script((now) => ({
        operator: { stop: now === stopMs },
        ...(now >= stopMs + 1_000 ? { tipC: alive(now) } : {}),
        ...(bad(now, stopMs) ? o : {}),
      })),
      { settings: SHORT, state: at.state, durationMs: 1_000 + 5 * DWELL_MS },
    );
    expect(d.state.phase).toBe('Stopped');
    return { stopMs, d };
  }

  const none = () => false;
  const baseline = stoppedThenWarm({}, none);
  const safeAtMs = safeEvents(baseline.d.events)[0]?.atMs ?? Number.NaN;

  it('the baseline (no glitch) declares SAFE TO WITHDRAW once, the dwell after the tip reads warm, and never makes the tip unknown', () => {
    expect(safeEvents(baseline.d.events)).toEqual([{ kind: 'safe-to-withdraw', atMs: baseline.stopMs + 1_000 + DWELL_MS, safe: true }]);
    expect(tipUnknown(baseline.d.events)).toEqual([]);
  });

  for (const [name, o] of GLITCHES) {
    it(`${name} for 4 ticks (80 ms) before and again after SAFE TO WITHDRAW leaves the tip trusted; SAFE TO WITHDRAW drops for it and comes a whole dwell after its last bad tick`, () => {
      const glitchMs = (TIP_UNUSABLE_DEBOUNCE_MS / PERIOD_MS - 1) * PERIOD_MS;
      const lastBadOf = (fromMs: number) => fromMs + glitchMs - PERIOD_MS;
      const firstFromMs = safeAtMs - DWELL_MS / 2;
      const firstSafeMs = lastBadOf(firstFromMs) + DWELL_MS;
      const secondFromMs = firstSafeMs + DWELL_MS / 2;
      const inGlitch = (now: number, fromMs: number) => now >= fromMs && now < fromMs + glitchMs;
      const { d } = stoppedThenWarm(o, (now) => inGlitch(now, firstFromMs) || inGlitch(now, secondFromMs));
      expect(tipUnknown(d.events)).toEqual([]);
      expect(d.state.tipDistrust).toBeNull();
      expect(safeEvents(d.events)).toEqual([
        { kind: 'safe-to-withdraw', atMs: firstSafeMs, safe: true },
        { kind: 'safe-to-withdraw', atMs: secondFromMs, safe: false },
        { kind: 'safe-to-withdraw', atMs: lastBadOf(secondFromMs) + DWELL_MS, safe: true },
      ]);
    });

    it(`${name} on one tick in six (never long enough to make the tip unknown) leaves SAFE TO WITHDRAW off for as long as it lasts, without turning it on and off`, () => {
      const everySixth = 6 * PERIOD_MS;
      const fromMs = safeAtMs + DWELL_MS / 2;
      const { d } = stoppedThenWarm(o, (now) => now >= fromMs && (now - fromMs) % everySixth === 0);
      expect(tipUnknown(d.events)).toEqual([]);
      expect(safeEvents(d.events)).toEqual([
        { kind: 'safe-to-withdraw', atMs: safeAtMs, safe: true },
        { kind: 'safe-to-withdraw', atMs: fromMs, safe: false },
      ]);
    });

    it(`${name} for TIP_UNUSABLE_DEBOUNCE_MS makes the tip unknown, at the end of the debounce, naming why`, () => {
      const fromMs = safeAtMs + DWELL_MS / 2;
      const { d } = stoppedThenWarm(o, (now) => now >= fromMs);
      const events = tipUnknown(d.events);
      expect(events.map((e) => e.atMs)).toEqual([fromMs + TIP_UNUSABLE_DEBOUNCE_MS]);
      expect(events[0]?.reason).toMatch(/^tip reading unusable after the treatment: /);
      expect(d.state.safeToWithdraw).toBe(false);
    });

    it(`${name} on every other tick (never ${TIP_UNUSABLE_DEBOUNCE_MS} ms in a row) still makes the tip unknown`, () => {
      const fromMs = safeAtMs + DWELL_MS / 2;
      const everyOther = 2 * PERIOD_MS;
      const { d } = stoppedThenWarm(o, (now) => now >= fromMs && (now - fromMs) % everyOther === 0);
      // The k-th bad tick (k of the last 2k samples, as the rows judge: 6 of 12 at 50 Hz).
      expect(tipUnknown(d.events).map((e) => e.atMs)).toEqual([fromMs + (UNUSABLE_K - 1) * everyOther]);
    });

    it(`${name} in bursts of 5 ticks every 10 (half the samples, each burst shorter than ${TIP_UNUSABLE_DEBOUNCE_MS} ms) makes the tip unknown, as the tip rows trip on it in a treatment, and never declares SAFE TO WITHDRAW`, () => {
      // Before, a clean gap of 100 ms ended the unusable span: SAFE TO WITHDRAW came on the clean
      // ticks between the bursts (100 times over the run) and the tip never became unknown.
      const fromMs = safeAtMs - DWELL_MS / 2;
      const BURST_TICKS = 5;
      const inBurst = (now: number) => now >= fromMs && Math.floor((now - fromMs) / (BURST_TICKS * PERIOD_MS)) % 2 === 0;
      const { d } = stoppedThenWarm(o, inBurst);
      // The first burst's 5 ticks and the second's first make 6 of the last 12 samples.
      expect(tipUnknown(d.events).map((e) => e.atMs)).toEqual([fromMs + 2 * BURST_TICKS * PERIOD_MS]);
      expect(d.steps.filter((r) => r.nowMs >= fromMs && r.state.safeToWithdraw)).toEqual([]);
    });

    it(`${name} over the tick SAFE TO WITHDRAW would come: it is declared a whole dwell after the glitch's last tick`, () => {
      const fromMs = safeAtMs - 2 * PERIOD_MS;
      const toMs = safeAtMs + 2 * PERIOD_MS;
      const { d } = stoppedThenWarm(o, (now) => now >= fromMs && now <= toMs);
      expect(safeEvents(d.events)).toEqual([{ kind: 'safe-to-withdraw', atMs: toMs + DWELL_MS, safe: true }]);
      expect(tipUnknown(d.events)).toEqual([]);
    });
  }
});

describe('a tip reading unusable on every other sample after gas, at loop.rateHz 10 (one period is TIP_UNUSABLE_DEBOUNCE_MS)', () => {
  const SLOW = parseSettings({ loop: { rateHz: 10 }, valves: { selfTestValveMs: 600 } }, 'test settings');
  const SLOW_PERIOD_MS = 1000 / SLOW.loop.rateHz;
  /** Gas seen flowing for the first second (the return line at flow), the tip live and warm
   * throughout; from `faultFromMs` a fault bit on every other sample when `everyOther`. */
  function run(everyOther: boolean) {
    const flowUntilMs = 1_000;
    const faultFromMs = 2_000;
    return drive(
      (now) =>
        nominalReadings(now, {
          tipC: alive(now),
          returnBarAbs: now <= flowUntilMs ? RETURN_FLOWING_BAR : undefined,
          ...(everyOther && now >= faultFromMs && ((now - faultFromMs) / SLOW_PERIOD_MS) % 2 === 0 ? { fault: 'open' as const } : {}),
        }),
      { settings: SLOW, durationMs: 3 * DWELL_MS, gapMs: () => SLOW_PERIOD_MS },
    );
  }

  it('the baseline (no fault) declares SAFE TO WITHDRAW the dwell after the gas, the tip never unknown', () => {
    const d = run(false);
    expect(safeEvents(d.events)).toEqual([{ kind: 'safe-to-withdraw', atMs: 1_000 + DWELL_MS, safe: true }]);
    expect(tipUnknown(d.events)).toEqual([]);
  });

  it('makes the tip unknown at the second bad sample (2 of the last 4, as the rows judge at 10 Hz) and never declares SAFE TO WITHDRAW', () => {
    // Before, each clean sample came a full 100 ms after the bad one and ended the unusable span:
    // the tip was never unknown and SAFE TO WITHDRAW came on every clean sample after the dwell.
    const d = run(true);
    expect(tipUnknown(d.events).map((e) => e.atMs)).toEqual([2_000 + 2 * SLOW_PERIOD_MS]);
    expect(safeEvents(d.events)).toEqual([]);
  });
});

describe('the warm span across an outage that made the tip unknown', () => {
  const TWO_CYCLES = withProtocol(DEFAULT_SETTINGS, { ...SHORT_PROTOCOL, cycles: 2 });
  const STUCK_C = 20;

  it('ends with it: a reading back from a thermocouple fault stuck at a constant warm value is not declared SAFE TO WITHDRAW after the next start, and makes the tip unknown after the dwell', () => {
    // Stopped 10 s into the first freeze; the tip reads live and warm from 1 s after the stop
    // (SAFE TO WITHDRAW a dwell later); then the thermocouple is open for 2 s (the tip unknown);
    // it comes back stuck at a constant 20 C, and start is pressed 100 ms later (a new start clears
    // the distrust). Before, the unusable ticks held the warm span past the debounce, so its range
    // and dwell from before the fault counted for the stuck reading: SAFE TO WITHDRAW at once in
    // the self-test, from a reading never seen to move since it came back.
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Freezing', 10_000), patient);
    const stopMs = at.lastMs + 20;
    const warmFromMs = stopMs + 1_000;
    const faultFromMs = warmFromMs + DWELL_MS + 1_000;
    const backMs = faultFromMs + 2_000;
    const startMs = backMs + 100;
    const d = drive(
      patient.script((now) => ({
        operator: { stop: now === stopMs, start: now === startMs },
        ...(now >= warmFromMs ? { tipC: now >= backMs ? STUCK_C : alive(now) } : {}),
        ...(now >= faultFromMs && now < backMs ? { fault: 'open' as const } : {}),
      })),
      { settings: TWO_CYCLES, state: at.state, durationMs: backMs - at.lastMs + 2 * DWELL_MS },
    );
    expect(d.events).toContainEqual(expect.objectContaining({ kind: 'phase', atMs: startMs, to: 'SelfTest' }));
    expect(safeEvents(d.events)).toEqual([
      { kind: 'safe-to-withdraw', atMs: warmFromMs + DWELL_MS, safe: true },
      { kind: 'safe-to-withdraw', atMs: faultFromMs, safe: false },
    ]);
    const unknown = tipUnknown(d.events);
    expect(unknown.map((e) => e.atMs)).toEqual([faultFromMs + TIP_UNUSABLE_DEBOUNCE_MS, backMs + DWELL_MS]);
    expect(unknown[1]?.reason).toMatch(/^tip reading constant at 20\.00 C /);
  });
});
