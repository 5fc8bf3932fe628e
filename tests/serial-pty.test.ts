// Integration over a real pseudo-terminal pair (socat): the emulator on one end, SerialFrontend
// on the other through serialport 13, exactly as on a bench. Real time is unavoidable here (the
// bytes cross the kernel), so each test waits for a condition with a deadline, never a fixed sleep.
import { afterEach, describe, expect, it } from 'vitest';
import { SerialFrontend } from '../hal/serial/frontend.js';
import { serialPortFactory } from '../hal/serial/ports.js';
import { FAULT_BITS } from '../hal/serial/protocol.js';
import { SimHal } from '../hil/sim/index.js';
import { FrontendEmulator, type SampleProvider } from '../hil/frontend/emulator.js';
import { openPtyPair, type PtyPair } from '../hil/frontend/pty-pair.js';
import { simHalProvider } from '../hil/frontend/sim-provider.js';
import { MonotonicClock, VirtualClock } from '../kernel/clock.js';

const WAIT_LIMIT_MS = 2_000;
/** The controller's default tip.staleMs (src/controller/settings.ts). */
const CONTROLLER_STALE_MS = 100;

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_LIMIT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SerialFrontend and the front-end emulator over a socat pty pair', () => {
  let openPair: PtyPair | undefined;
  let openEmulator: FrontendEmulator | undefined;
  let openFrontend: SerialFrontend | undefined;

  async function start(provider: SampleProvider): Promise<{ pair: PtyPair; emulator: FrontendEmulator; frontend: SerialFrontend; clock: MonotonicClock }> {
    const clock = new MonotonicClock();
    const pair = openPair = await openPtyPair();
    const emulator = openEmulator = await FrontendEmulator.open(pair.devicePath, { provider, channels: 2, deviceId: 'FE-EMU-1' });
    const frontend = openFrontend = new SerialFrontend({
      name: pair.hostPath, openPort: serialPortFactory(pair.hostPath, 115_200), channels: 2, thermocoupleType: 'T',
      clock, limits: { reconnectInitialMs: 50 },
    });
    await waitFor('the first samples', () => frontend.tips().every((t) => Number.isFinite(t.atMs)));
    return { pair, emulator, frontend, clock };
  }

  afterEach(async () => {
    await openFrontend?.close();
    await openEmulator?.close();
    await openPair?.close();
    [openFrontend, openEmulator, openPair] = [undefined, undefined, undefined];
  });

  it('delivers samples from the emulator with no corrupt lines or gaps', async () => {
    const { frontend } = await start((channel) => ({ tempC: channel === 0 ? -78.5 : -20.25, coldJunctionC: 23.5, faultBits: 0 }));
    expect(frontend.fault()).toBeNull();
    expect(frontend.device()?.deviceId).toBe('FE-EMU-1');
    expect(frontend.tips().map((t) => [t.tipC, t.coldJunctionC, t.fault])).toEqual([[-78.5, 23.5, null], [-20.25, 23.5, null]]);
    const before = frontend.stats().samples;
    await waitFor('ten more samples', () => frontend.stats().samples >= before + 10);
    expect(frontend.stats()).toMatchObject({ corruptLines: 0, sequenceGaps: 0, overlongLines: 0 });
  });

  it('carries the plant tip temperature through the simulated thermocouple model', async () => {
    const hal = new SimHal({ clock: new VirtualClock(0), seed: 7 });
    const { frontend } = await start(simHalProvider(hal));
    const expectedC = hal.read().tips[0]!.tipC;
    expect(Math.abs(frontend.tips()[0]!.tipC - expectedC)).toBeLessThan(1);
  });

  it('shows a thermocouple fault bit injected at the emulator', async () => {
    const { emulator, frontend } = await start(() => ({ tempC: -78.5, coldJunctionC: 23.5, faultBits: 0 }));
    emulator.setFaultBits(1, FAULT_BITS['short-gnd']);
    await waitFor('the fault bit', () => frontend.tips()[1]!.fault === 'short-gnd');
    expect(frontend.tips()[0]!.fault).toBeNull();
    expect(frontend.fault()).toBeNull();
  });

  it('faults on a garbage burst, then reconnects as a new session', async () => {
    const { emulator, frontend } = await start(() => ({ tempC: -78.5, coldJunctionC: 23.5, faultBits: 0 }));
    emulator.injectGarbage(10);
    await waitFor('the HAL fault', () => frontend.fault() !== null);
    expect(frontend.fault()).toMatch(/corrupt lines within/);
    await waitFor('the new session', () => frontend.fault() === null);
    expect(emulator.hellosReceived).toBe(2);
    expect(frontend.stats().sessions).toBe(2);
  });

  it('keeps the link up on heartbeats while paused conversions let the samples go stale', async () => {
    const { emulator, frontend, clock } = await start(() => ({ tempC: -78.5, coldJunctionC: 23.5, faultBits: 0 }));
    emulator.setConverting(false);
    const heartbeats = frontend.stats().heartbeats;
    await waitFor('three heartbeats', () => frontend.stats().heartbeats >= heartbeats + 3);
    expect(frontend.fault()).toBeNull();
    expect(clock.nowMs() - frontend.tips()[0]!.atMs).toBeGreaterThan(CONTROLLER_STALE_MS);
    expect(frontend.stats().sequenceGaps).toBe(0);
  });

  it('faults when the emulator goes silent', async () => {
    const { emulator, frontend } = await start(() => ({ tempC: -78.5, coldJunctionC: 23.5, faultBits: 0 }));
    emulator.setSilent(true);
    await waitFor('the silence fault', () => frontend.fault() !== null);
    expect(frontend.fault()).toMatch(/no (line|HELLO)/);
  });

  it('faults on unplug (socat killed) and keeps retrying', async () => {
    const { pair, frontend } = await start(() => ({ tempC: -78.5, coldJunctionC: 23.5, faultBits: 0 }));
    await pair.unplug();
    await waitFor('the unplug fault', () => frontend.fault() !== null);
    expect(frontend.fault()).toMatch(/disconnected|port error|port closed/);
    await waitFor('a retry', () => frontend.stats().connectAttempts >= 2);
    expect(frontend.fault()).not.toBeNull();
  });
});
