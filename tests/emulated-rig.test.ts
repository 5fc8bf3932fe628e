// The emulated rig (`cryo rig`) as a device of its own: a console killed with SIGKILL mid-freeze
// leaves the rig running, and the rig does what the real board does when its host dies. What
// happened physically is read from the rig's trace, not from the console.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VALVE_DELAY_MS, PLANT_SUBSTEP_MS, WATCHDOG_TIMEOUT_MS } from '../hil/plant/index.js';
import type { TraceRecord } from '../hil/rig/trace.js';
import { epochNowMs, readTrace, rigBoardIn, spawnCryo, startRig, stopProcess, waitFor } from './helpers/rig.js';
import type { CryoProcess, RigReady } from './helpers/rig.js';
import { tempDirForFile } from './helpers/temp.js';

const dir = tempDirForFile('cryo-rig-');
const board = rigBoardIn(dir);
const dataDir = join(dir, 'data');

/** Gas flows this long before the console is killed: well inside the freeze. */
const FREEZE_BEFORE_KILL_MS = 3_000;
/** After the kill, the trace is read no sooner than this: the watchdog and the valves are done. */
const SETTLE_AFTER_KILL_MS = 1_500;
/** How long the restarted console is watched before it is asked to quit. */
const RESTART_WATCH_MS = 4_000;
/** The console starts (tsx, johnny-five, Firmata handshake, sim auto-calibration) well within this. */
const CONSOLE_READY_TIMEOUT_MS = 60_000;

let rig: CryoProcess;
let ready: RigReady;
const consoles: CryoProcess[] = [];

beforeAll(async () => {
  ({ process: rig, ready } = await startRig(board));
}, 60_000);

afterAll(async () => {
  for (const c of consoles) await stopProcess(c);
  await stopProcess(rig);
}, 30_000);

const after = (records: readonly TraceRecord[], t: number): TraceRecord[] => records.filter((r) => r.t >= t);

describe('cryo rig', () => {
  it('prints where its devices are, in the board file\'s directory', () => {
    expect(ready).toMatchObject({ uno: join(dir, 'uno'), frontend: join(dir, 'frontend'), control: join(dir, 'control.sock'), trace: join(dir, 'trace.jsonl') });
    expect(ready.pid).toBe(rig.pid);
  });

  let killedAtMs = 0;

  it('outlives a console killed with SIGKILL mid-freeze: valve power is cut within the watchdog time of the last heartbeat edge and the gas stops', async () => {
    const console1 = spawnCryo(['run', '--board', board, '--no-web', '--data-dir', dataDir, '--auto-start', '--cycles', '1', '--freeze-s', '60', '--thaw-s', '10', '--exit-when-done', '--json']);
    // Each console raises its own loop thread, as the deployed console does (tests/helpers/rig.ts).
    consoles.push(console1);
    // Mid-freeze: the plant says gas has flowed for a while.
    const flowStartMs = await waitFor('gas to flow in the plant', CONSOLE_READY_TIMEOUT_MS, () => {
      if (console1.child.exitCode !== null) throw new Error(`the console exited ${console1.child.exitCode}: ${console1.stdout()} ${console1.stderr()}`);
      return readTrace(ready.trace).find((r) => r.kind === 'flow' && r.flowing)?.t;
    }, () => `console stderr:\n${console1.stderr()}`);
    await waitFor('the freeze to be under way', FREEZE_BEFORE_KILL_MS * 3, () => (epochNowMs() - flowStartMs >= FREEZE_BEFORE_KILL_MS ? true : null));
    const before = readTrace(ready.trace);
    const flowBefore = before.filter((r) => r.kind === 'flow');
    expect(flowBefore.at(-1), `still flowing: the console did not stop the freeze on its own\n${console1.stderr()}`).toMatchObject({ flowing: true });

    killedAtMs = epochNowMs();
    console1.child.kill('SIGKILL');
    expect(await console1.exited).toBeNull();
    // The rig writes what follows the kill as it handles it, in a process of its own that a loaded
    // machine can hold back: read the trace once it holds the Uno's reset, a watchdog cut after the
    // last heartbeat edge and the gas stopped, and no sooner than SETTLE_AFTER_KILL_MS after the
    // kill (so that anything given back after the cut would be in it too).
    const trace = await waitFor('the Uno reset, the watchdog cut and the gas stopped in the rig trace', SETTLE_AFTER_KILL_MS + 15_000, () => {
      if (epochNowMs() - killedAtMs < SETTLE_AFTER_KILL_MS) return null;
      const records = readTrace(ready.trace);
      const lastEdgeMs = records.filter((r) => r.kind === 'heartbeat').at(-1)?.t ?? Number.NEGATIVE_INFINITY;
      const settled =
        records.some((r) => r.kind === 'uno-reset' && r.t >= killedAtMs) &&
        records.some((r) => r.kind === 'watchdog-trip' && r.t > lastEdgeMs) &&
        records.some((r) => r.kind === 'flow' && !r.flowing && r.t >= killedAtMs);
      return settled ? records : null;
    });
    expect(rig.child.exitCode, 'the rig outlives its host').toBeNull();
    const since = after(trace, killedAtMs);
    // The host's port closed, and the Uno reset (every pin an input: the valves lose their drive).
    expect(since.find((r) => r.kind === 'host' && r.device === 'uno' && !r.open)).toBeDefined();
    expect(since.find((r) => r.kind === 'uno-reset')).toBeDefined();
    // The watchdog cut valve power: no later than its timeout (plus the plant's step) after the
    // last heartbeat edge, and nothing gave it back. (The Uno's reset floats the heartbeat pin: if
    // it was high that is one more edge, which re-arms the watchdog once with the valves already
    // undriven; the last trip is the one that counts.)
    const trip = since.filter((r) => r.kind === 'watchdog-trip').at(-1);
    expect(trip, JSON.stringify(since.slice(0, 20))).toBeDefined();
    if (trip?.kind !== 'watchdog-trip') return;
    const edges = trace.filter((r) => r.kind === 'heartbeat' && r.t <= trip.t);
    const lastEdge = edges.at(-1);
    expect(lastEdge).toBeDefined();
    expect(trip.lastHeartbeatEdgeMs).toBe(lastEdge?.t);
    const edgeToCutMs = trip.t - (lastEdge?.t ?? Number.NaN);
    expect(edgeToCutMs).toBeGreaterThan(WATCHDOG_TIMEOUT_MS);
    expect(edgeToCutMs).toBeLessThanOrEqual(WATCHDOG_TIMEOUT_MS + PLANT_SUBSTEP_MS);
    expect(trace.filter((r) => r.kind === 'heartbeat' && r.t > trip.t)).toEqual([]);
    expect(trace.filter((r) => r.kind === 'valve-power' && r.t > trip.t)).toEqual([]);
    // The console was heartbeating until it died: its last edge is close to the kill.
    const consoleEdges = edges.filter((r) => r.t < killedAtMs);
    expect(killedAtMs - (consoleEdges.at(-1)?.t ?? 0)).toBeLessThan(WATCHDOG_TIMEOUT_MS);
    // The gas stopped, both valve seats closed, sooner than the watchdog path alone guarantees.
    const stop = since.find((r) => r.kind === 'flow' && !r.flowing);
    expect(stop, 'the gas stops in the plant').toBeDefined();
    expect((stop?.t ?? Infinity) - killedAtMs).toBeLessThanOrEqual(WATCHDOG_TIMEOUT_MS + DEFAULT_VALVE_DELAY_MS + 2 * PLANT_SUBSTEP_MS);
    expect(trace.filter((r) => r.kind === 'flow' && r.t > (stop?.t ?? 0))).toEqual([]);
    expect(trace.filter((r) => r.kind === 'valves').at(-1)).toMatchObject({ supplyOpen: false, safetyOpen: false });
    console.log(
      `kill -9 at ${killedAtMs.toFixed(0)}: last console heartbeat edge ${(killedAtMs - (consoleEdges.at(-1)?.t ?? 0)).toFixed(0)} ms before; ` +
        `valve power cut ${edgeToCutMs.toFixed(0)} ms after the last edge (${(trip.t - killedAtMs).toFixed(0)} ms after the kill); ` +
        `gas stopped ${((stop?.t ?? Infinity) - killedAtMs).toFixed(0)} ms after the kill`,
    );
    const lastPlant = trace.filter((r) => r.kind === 'plant').at(-1);
    expect(lastPlant).toMatchObject({ gPerS: 0 });
  }, 120_000);

  it('a console restarted on the rig comes up Idle with the valves closed and never resumes the freeze', async () => {
    expect(killedAtMs).toBeGreaterThan(0);
    const restartedAtMs = epochNowMs();
    const console2 = spawnCryo(['run', '--board', board, '--no-web', '--data-dir', dataDir]);
    consoles.push(console2);
    await waitFor('the console to be ready', CONSOLE_READY_TIMEOUT_MS, () => {
      if (console2.child.exitCode !== null) throw new Error(`the console exited ${console2.child.exitCode}: ${console2.stderr()}`);
      return console2.stderr().includes('console ready') ? true : null;
    });
    await new Promise((resolve) => setTimeout(resolve, RESTART_WATCH_MS));
    console2.child.stdin.write('q');
    const code = await console2.exited;
    const trace = after(readTrace(ready.trace), restartedAtMs);
    // It connected to the rig (a new host session) and drove the outputs (heartbeat edges)...
    expect(trace.find((r) => r.kind === 'host' && r.device === 'uno' && r.open)).toBeDefined();
    expect(trace.filter((r) => r.kind === 'heartbeat').length).toBeGreaterThan(0);
    // ...but never commanded a valve open, and no gas flowed.
    expect(trace.filter((r) => r.kind === 'valve-command' && (r.supplyOpen || r.safetyOpen))).toEqual([]);
    expect(trace.filter((r) => r.kind === 'flow' && r.flowing)).toEqual([]);
    const samples = trace.flatMap((r) => (r.kind === 'plant' ? [r.gPerS] : []));
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.filter((gPerS) => gPerS !== 0)).toEqual([]);
    // Its status line says Idle, and a quit with no treatment under way exits 0 (3 if it had resumed).
    expect(console2.stdout()).toMatch(/^Idle/m);
    expect(console2.stdout()).not.toMatch(/Freezing/);
    expect(code, console2.stderr()).toBe(0);
  }, 120_000);
});
