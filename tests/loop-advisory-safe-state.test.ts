// The runtime and an advisory's trip (review of issue 11, L2): INEFFECTIVE_FREEZE acts on nothing,
// so the control loop must not call the HAL's safe state for it (on the Firmata board that call
// also silences the lamps and buzzer and drives the valves' closed level, within the tick). An
// acting trip (the stop) still does, before the tick's outputs are written. Against the sim plant,
// in virtual time, through a HAL that logs every call and every output the board was given.
import { describe, expect, it } from 'vitest';
import type { Hal, Outputs, Readings } from '../hal/contract.js';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import { SimHal } from '../hil/sim/sim-hal.js';
import { VirtualClock } from '../kernel/clock.js';
import { silentLogger } from '../kernel/log.js';
import { parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';

const PERIOD_MS = 20;

/** The sim back-end, with a log of each tick's calls and of the outputs the board ended up with
 * after each call (a safe state is SAFE_OUTPUTS on the board until the next write). */
class WatchedHal implements Hal {
  readonly kind = 'sim' as const;
  calls: string[] = [];
  applied: Outputs[] = [];
  constructor(readonly sim: SimHal) {}
  read(): Readings {
    this.calls.push('read');
    return this.sim.read();
  }
  write(outputs: Outputs): void {
    this.calls.push('write');
    this.applied.push(outputs);
    this.sim.write(outputs);
  }
  toSafeState(): void {
    this.calls.push('safe');
    this.applied.push(SAFE_OUTPUTS);
    this.sim.toSafeState();
  }
  close(): Promise<void> {
    return this.sim.close();
  }
}

interface TickLog {
  readonly events: readonly ControllerEvent[];
  readonly calls: readonly string[];
  readonly applied: readonly Outputs[];
}

/** Runs one treatment from a start press, `stopAtFreezeMs` into the first freeze a stop press
 * (or none), until `untilMs`; each tick's events, HAL calls and outputs applied. */
function run(settings: Settings, untilMs: number, stopAtFreezeMs: number | null = null): TickLog[] {
  const clock = new VirtualClock(0);
  const hal = new WatchedHal(new SimHal({ clock, seed: 3, plant: {}, faults: [] }));
  const loop = new ControlLoop({ hal, settings, logger: silentLogger(), startMs: 0, calibration: SIM_PROBE_CALIBRATION });
  hal.sim.press('start');
  const ticks: TickLog[] = [];
  let stopped = false;
  for (let t = 0; t <= untilMs; t += PERIOD_MS) {
    clock.setMs(t);
    if (stopAtFreezeMs !== null && !stopped && loop.state.phase === 'Freezing' && loop.state.cycleFreezeMs >= stopAtFreezeMs) {
      stopped = true;
      hal.sim.press('stop');
    }
    hal.calls = [];
    hal.applied = [];
    const { events } = loop.tick(t);
    ticks.push({ events, calls: hal.calls, applied: hal.applied });
  }
  return ticks;
}

const tripOf = (id: string) => (tick: TickLog): boolean => tick.events.some((e) => e.kind === 'trip' && e.id === id);

describe('the control loop on an advisory trip', () => {
  // One 10 s freeze judged against a 5.6 mm target (the most the settings take): never effective, so the thaw raises the advisory.
  const settings = parseSettings({ protocol: { cycles: 1, freezeS: 10, thawS: 10 }, iceBall: { targetRadiusMm: 5.6 } });
  const ticks = run(settings, 40_000);
  const at = ticks.findIndex(tripOf('INEFFECTIVE_FREEZE'));

  it('raises INEFFECTIVE_FREEZE (the precondition)', () => {
    expect(at).toBeGreaterThan(0);
  });

  it('does not call the HAL safe state in its tick: the board is read and written, nothing else', () => {
    expect(ticks[at]?.calls).toEqual(['read', 'write']);
    expect(ticks.some((t) => t.calls.includes('safe'))).toBe(false);
  });

  it('changes no valve output, and the board never sees the lamps or buzzer forced off in between', () => {
    const before = ticks[at - 1]?.applied.at(-1);
    const during = ticks[at]?.applied ?? [];
    expect(during).toHaveLength(1);
    expect(during[0]?.supplyValveOpen).toBe(before?.supplyValveOpen);
    expect(during[0]?.safetyValveOpen).toBe(before?.safetyValveOpen);
    // Its own alarm signal is the step's output (the low lamp), written once, with no safe state
    // (all lamps and the buzzer off) applied before it.
    expect(during[0]?.lamps.low).toBe(true);
  });
});

describe('the control loop on an acting trip', () => {
  it('calls the HAL safe state before writing the outputs of the tick a stop trips in', () => {
    const settings = parseSettings({ protocol: { cycles: 1, freezeS: 10, thawS: 10 } });
    const ticks = run(settings, 20_000, 3_000);
    const at = ticks.findIndex(tripOf('OPERATOR_STOP'));
    expect(at).toBeGreaterThan(0);
    expect(ticks[at]?.calls).toEqual(['read', 'safe', 'write']);
    expect(ticks[at]?.applied[0]).toEqual(SAFE_OUTPUTS);
  });
});
