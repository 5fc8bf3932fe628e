// One fuzz run: the real ControlLoop on the sim back-end in virtual time, as hil/runner.ts runs a
// treatment, with the scenario's operator timeline and faults, and every tick checked against the
// plant's truth. Stops at the first violation. Deterministic: the scenario fixes everything.
import { SimHal } from '../../../hil/sim/index.js';
import { parseSettings } from '../../controller/settings.js';
import type { StepResult } from '../../controller/step.js';
import { silentLogger } from '../../../kernel/log.js';
import { VirtualClock } from '../../../kernel/clock.js';
import type { StepFunction } from '../../runtime/loop.js';
import { ControlLoop } from '../../runtime/loop.js';
import { VirtualScheduler } from '../../../kernel/scheduler/index.js';
import type { FaultKind } from '../../../hil/faults.js';
import type { SensorParams } from '../../../hil/sim/index.js';
import { resolvePlantParams } from '../../../hil/plant/index.js';
import { DEFAULT_TISSUE_PARAMS } from '../../../kernel/bioheat/index.js';
import { SIM_PROBE_CALIBRATION } from '../runner.js';
import { quietFromMs } from './draw.js';
import type { TickObservation, Violation } from './invariants.js';
import type { ConsoleWatch, ControllerReadings, RecordsWatch } from '../../controller/probe-calibration.js';
import type { Hal } from '../../../hal/contract.js';
import type { TickCalibration } from '../../runtime/calibration-provider.js';
import { CALIBRATION_RETRY_MS, PreloadedCalibration, withFittedProbeId } from '../../runtime/calibration-provider.js';
import type { Phase } from '../../controller/types.js';
import type { ScenarioCalibration } from './calibration.js';
import { TimedRecordProvider, sensorFor } from './calibration.js';
import { InvariantChecker } from './invariants.js';
import type { ProbeIdMisread } from './probe-id.js';
import { withOtherProbeRecords, withProbeIdMisreads } from './probe-id.js';
import type { Scenario, TimedAction } from './scenario.js';

/** Faults that make the tip reading wrong, so the controller cannot see the true tip. */
const TIP_SENSOR_FAULTS: readonly FaultKind[] = ['tc-open', 'tc-short', 'tc-stuck', 'tip-reads-cold', 'sensor-stale', 'probe-disconnect'];

export interface RunOptions {
  /** Test seam: the control step to run instead of the real one (a deliberately broken controller). */
  readonly step?: StepFunction;
  /** Test seam: whether the loop keeps the last calibration verdict (ControlLoopOptions
   * holdsVerdict); `() => false` puts back the defects the calibration-held invariant catches. */
  readonly holdsVerdict?: (phase: Phase, probePresent: boolean) => boolean;
  /** Each controller step as the loop ran it (the scenario runner records the treatment here). */
  readonly onStep?: (nowMs: number, readings: ControllerReadings, result: StepResult) => void;
  /** Each tick after the invariants judged it, with the readings the loop read (null when it did
   * not run): the scenario runner's trace and expectations. */
  readonly onTick?: (observation: TickObservation, readings: ControllerReadings | null) => void;
  /** When the run may end, given the fuzzer's own rule's answer; by default that answer. */
  readonly done?: (observation: TickObservation, fuzzerDone: boolean) => boolean;
  /** What the sim back-end does not model, for the scenario runner (the fuzzer leaves each at its
   * default: the sim probe's calibration, no console page, no records, the board never lost). */
  readonly environment?: RunEnvironment;
}

export interface RunEnvironment {
  readonly calibration?: TickCalibration;
  /** The simulated sensors' parameters (hil/sim/sensor-params.ts), e.g. the probe's own error
   * that a calibration corrects; by default a probe that reads true. */
  readonly sensor?: Partial<SensorParams>;
  readonly consoleWatch?: (nowMs: number) => ConsoleWatch;
  readonly recordsWatch?: (nowMs: number) => RecordsWatch;
  /** The back-end's own report of a lost device at a time (null while it has none): HAL_FAULT's input. */
  readonly halFault?: (nowMs: number) => string | null;
}

/** The sim back-end as the loop sees it, with the environment's lost-device report laid over its reads. */
function boardFor(hal: SimHal, clock: VirtualClock, halFault: ((nowMs: number) => string | null) | undefined): Hal {
  if (halFault === undefined) return hal;
  return {
    kind: hal.kind,
    read: () => {
      const readings = hal.read();
      const lost = halFault(clock.nowMs());
      return lost === null ? readings : { ...readings, halFault: lost };
    },
    write: (outputs) => {
      hal.write(outputs);
    },
    toSafeState: () => {
      hal.toSafeState();
    },
    close: () => hal.close(),
  };
}

export interface RunResult {
  readonly violation: Violation | null;
  readonly simulatedMs: number;
  readonly ticks: number;
}

interface Panel {
  readonly hal: SimHal;
  footswitchDown: boolean;
  /** A stop press waits in the panel until the loop next reads it (after a stall). */
  stopPending: boolean;
  /** Likewise a new-site press. */
  newSitePending: boolean;
}

function apply(panel: Panel, action: TimedAction['action']): void {
  const { hal } = panel;
  switch (action) {
    case 'start':
    case 'acknowledge':
      hal.press(action);
      return;
    case 'stop':
      hal.press('stop');
      panel.stopPending = true;
      return;
    case 'new-site':
      hal.press('newSite');
      panel.newSitePending = true;
      return;
    case 'estop-press':
    case 'estop-release':
      hal.setEstop(action === 'estop-press');
      return;
    case 'footswitch-down':
    case 'footswitch-up':
      panel.footswitchDown = action === 'footswitch-down';
      hal.setFootswitch(panel.footswitchDown);
      return;
  }
}

/**
 * The scenario's calibration record read as `cryo run` reads it: loaded before the first tick,
 * read again after any tick that asked (a press, a new probe id) and, while unusable, every
 * CALIBRATION_RETRY_MS; a read that throws (the record unreadable) leaves the probe uncalibrated,
 * as `cryo run` logs and goes on.
 */
class RecordAsCryoRunReadsIt {
  readonly tick: TickCalibration;
  readonly #preloaded: PreloadedCalibration;
  #nextRetryMs = CALIBRATION_RETRY_MS;

  constructor(cal: ScenarioCalibration, misreads: readonly ProbeIdMisread[], probeId: string | null, reportedId: string | null, clock: VirtualClock) {
    const provider = withOtherProbeRecords(new TimedRecordProvider(cal, probeId, () => clock.nowMs()), misreads);
    this.#preloaded = new PreloadedCalibration(withFittedProbeId(provider, probeId), 'T', probeId);
    this.tick = this.#preloaded;
    this.#read(() => this.#preloaded.load(reportedId));
  }

  /** Between ticks, at `nowMs`. */
  afterTick(nowMs: number): void {
    if (this.#preloaded.refreshWanted) {
      this.#read(() => {
        this.#preloaded.refresh();
      });
    }
    if (nowMs < this.#nextRetryMs) return;
    this.#nextRetryMs = nowMs + CALIBRATION_RETRY_MS;
    this.#read(() => this.#preloaded.reloadIfUnusable());
  }

  #read(read: () => unknown): void {
    try {
      read();
    } catch {
      // cryo run: "the probe counts as uncalibrated (start blocked) until it can be" read.
    }
  }
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const settings = parseSettings(scenario.settings, 'scenario.settings');
  const plant = resolvePlantParams(scenario.plant);
  const clock = new VirtualClock(0);
  const env = options.environment ?? {};
  // The environment's probe (a scenario file's calibration), the probe the drawn record corrects
  // (to within probeOffsetErrorC), or the fuzzer's drawn probe error.
  const cal = scenario.calibration;
  const drawnError = cal !== undefined ? sensorFor(cal, scenario.probeOffsetErrorC ?? 0) : scenario.probeOffsetErrorC === undefined ? undefined : { probeOffsetErrorC: scenario.probeOffsetErrorC };
  // The thermocouple's lag: the environment's (a scenario file's sensor), else the drawn one.
  const tcLagMs = env.sensor?.tcLagMs ?? scenario.tcLagMs;
  const sensor = env.sensor ?? drawnError;
  const hal = new SimHal({ clock, seed: scenario.noiseSeed, plant, faults: scenario.faults, sensor: tcLagMs === undefined ? sensor : { ...sensor, tcLagMs } });
  const misreads = scenario.probeIdMisreads ?? [];
  const record = cal === undefined || env.calibration !== undefined ? null : new RecordAsCryoRunReadsIt(cal, misreads, plant.probeId, hal.plantState.probeId, clock);
  let stepped: StepResult | null = null;
  let read: ControllerReadings | null = null;
  const loop = new ControlLoop({
    hal: withProbeIdMisreads(boardFor(hal, clock, env.halFault), misreads, () => clock.nowMs()),
    settings,
    logger: silentLogger(),
    startMs: 0,
    calibration: env.calibration ?? record?.tick ?? SIM_PROBE_CALIBRATION,
    fittedProbeId: record === null ? null : plant.probeId,
    consoleWatch: env.consoleWatch,
    recordsWatch: env.recordsWatch,
    step: options.step,
    holdsVerdict: options.holdsVerdict,
    onStep: (nowMs, readings, result) => {
      stepped = result;
      read = readings;
      options.onStep?.(nowMs, readings, result);
    },
  });
  const scheduler = new VirtualScheduler({ rateHz: settings.loop.rateHz, clock });
  const nominalTissue = Object.entries(DEFAULT_TISSUE_PARAMS).every(([key, value]) => plant.tissue[key as keyof typeof DEFAULT_TISSUE_PARAMS] === value);
  const checker = new InvariantChecker(settings, plant, quietFromMs(scenario), { recordStatesProbeOd: record !== null && cal?.probeOdMm !== undefined, nominalTissue, tcLagMs });
  const actions = [...scenario.operator].sort((a, b) => a.atMs - b.atMs);
  const panel: Panel = { hal, footswitchDown: false, stopPending: false, newSitePending: false };
  let nextAction = 0;
  let lastReadHadStop = false;
  let lastObservedMs = 0;
  /** A fault active at any moment since the last observation: one shorter than a tick (a 20 ms
   * stuck valve at 17 Hz) still let gas through between two ticks, and still explains it. */
  const activeSince = (kind: FaultKind, nowMs: number): boolean =>
    hal.faults.specs.some((f) => f.kind === kind && f.atMs <= nowMs && (f.durationMs === null || f.atMs + f.durationMs > lastObservedMs));
  let violation: Violation | null = null;

  const ticks = scheduler.runTicks(Math.ceil(scenario.maxMs / scheduler.periodMs), (tick) => {
    const nowMs = tick.targetMs;
    for (let a = actions[nextAction]; a !== undefined && a.atMs <= nowMs; a = actions[++nextAction]) apply(panel, a.action);
    const ran = !hal.faults.isActive('loop-stall', nowMs);
    const before = loop.state;
    const stopRead = ran && panel.stopPending;
    const newSiteRead = ran && panel.newSitePending;
    stepped = null;
    read = null;
    if (ran) {
      panel.stopPending = false;
      panel.newSitePending = false;
      try {
        loop.tick(nowMs);
      } catch (err) {
        violation = { invariant: 'step-threw', atMs: nowMs, detail: err instanceof Error ? err.message : String(err) };
        return false;
      }
      record?.afterTick(nowMs);
    }
    const observation: TickObservation = {
      nowMs,
      ran,
      before,
      after: loop.state,
      result: stepped,
      written: hal.lastOutputs,
      plant: hal.plantState,
      stopEdge: stopRead && !lastReadHadStop,
      newSitePressed: newSiteRead,
      valveStuckOpen: activeSince('valve-stuck-open', nowMs),
      tipSensorFaulty: TIP_SENSOR_FAULTS.some((kind) => activeSince(kind, nowMs)),
      footswitchDown: panel.footswitchDown,
      calibration: (read as ControllerReadings | null)?.calibration ?? null,
    };
    if (ran) lastReadHadStop = stopRead;
    lastObservedMs = nowMs;
    violation = checker.observe(observation);
    options.onTick?.(observation, read);
    if (violation !== null) return false;
    const fuzzerDone = checker.done(observation, actions.slice(nextAction).some((a) => a.action === 'start'));
    return !(options.done === undefined ? fuzzerDone : options.done(observation, fuzzerDone));
  });
  hal.toSafeState();
  return { violation, simulatedMs: clock.nowMs(), ticks };
}
