// The runtime around the pure step: read the HAL, call the step, write the outputs, log the
// events. One `tick` per scheduler period; the same code runs on the real and the virtual clock.
import type { Hal, Outputs, Readings } from '../../hal/contract.js';
import { SAFE_OUTPUTS } from '../../hal/contract.js';
import { CONSOLE_UNWATCHED, RECORDS_UNWATCHED, calibrateReadings, uncalibrated } from '../controller/probe-calibration.js';
import type { ConsoleWatch, ControllerReadings, ProbeCalibration, RecordsWatch } from '../controller/probe-calibration.js';
import type { TickCalibration } from './calibration-provider.js';
import type { Protocol, Settings } from '../controller/settings.js';
import { targetRadiusMm, withNerve, withProtocol } from '../controller/settings.js';
import { TREATING_PHASES } from '../controller/types.js';
import { initialState } from '../controller/state.js';
import type { ControllerState, PriorSite } from '../controller/state.js';
import { step } from '../controller/step.js';
import { createStepWorkspace } from '../controller/workspace.js';
import type { StepWorkspace } from '../controller/workspace.js';
import type { StepResult } from '../controller/step.js';
import type { ControllerEvent, Phase } from '../controller/types.js';
import { isAdvisory } from '../controller/interlocks.js';
import { assert } from '../../kernel/assert.js';
import { MS_PER_S } from '../../kernel/scheduler/core.js';
import { isValidProbeId } from '../../kernel/probe.js';
import type { Logger } from '../../kernel/log.js';
import { MAX_TARGET_CHARS, findNerve } from '../records/nerves.js';
import { quoteProbeId } from '../../calibration/errors.js';

/**
 * The phases in which the probe's calibration verdict read for the treatment's start is kept: the
 * tick uses the verdict the last tick before the freeze used (the one CALIBRATION_INVALID, armed in
 * SelfTest and Ready, judged usable), and asks the provider nothing: a start or acknowledge press
 * here asks for no new read (the step ignores a start here; an acknowledge clears an alarm,
 * INEFFECTIVE_FREEZE in a thaw), and a probe id other than the one read is not looked at either.
 * CALIBRATION_INVALID is not armed here, so a verdict answering "unusable" (the record expired
 * since the start, or could not be read; or "not read yet" for an id that changed, as the sim
 * probe's does for a presence glitch shorter than PROBE_DISCONNECTED's debounce) would trip
 * nothing and only drop the tip correction (the thaw then judged on a reading up to 3 C off: a
 * refreeze on a tip still frozen) and the probe's diameter (the next freeze modelled with the
 * setting's: a 0.4 mm probe's freezes judged effective). A probe really changed mid-freeze is
 * disconnected first: PROBE_DISCONNECTED trips (Fault: out of these phases, the tip distrusted).
 * tests/calibration-mid-treatment.test.ts.
 */
export const VERDICT_HELD_PHASES: readonly Phase[] = ['Freezing', 'Thawing'];

/**
 * Whether this tick keeps the last tick's calibration verdict and asks the provider nothing: in
 * VERDICT_HELD_PHASES, and, in every phase, while the probe reads absent. There the last verdict
 * holds too, and the tick asks for no read (a re-read of an unusable record between ticks may still
 * run: its verdict is used once the probe reads present again): an absent probe is
 * PROBE_DISCONNECTED's to judge (debounced, 100 ms), and the probe's id reads as none while it is off (the sim probe's does). Asked, the provider answered "not read yet"
 * for the missing id, and in SelfTest or Ready CALIBRATION_INVALID (no debounce: the record is
 * judged when read) tripped on a presence glitch of one tick, which PROBE_DISCONNECTED's debounce
 * exists to ride out; after a treatment the same answer made the tip unknown. A probe really
 * changed is seen when the new one reads present: its id is then asked about, and an id not read
 * yet answers unusable (CALIBRATION_INVALID in SelfTest and Ready). A probe reading absent after
 * gas makes the tip unknown anyway (step.ts, once TIP_UNUSABLE_DEBOUNCE_MS's samples say so).
 * tests/calibration-mid-treatment.test.ts.
 */
export function verdictHeld(phase: Phase, probePresent: boolean): boolean {
  return !probePresent || VERDICT_HELD_PHASES.includes(phase);
}

/**
 * How long the probe must read absent, on consecutive ticks, before the loop takes it for another
 * probe (misreadProbeId). Unplugging one probe and plugging in another takes longer than this.
 * Counted in time and in ticks both (a loop stall under loop.maxGapMs trips nothing and must not
 * shorten it), and not from PROBE_DISCONNECTED's debounce, which a setting may shorten to nothing
 * and which is not armed in Idle, Stopped or Complete: a 140 ms presence glitch with a 110 ms
 * stall in Stopped forgot the attached probe, and a misread id that followed was taken as a new
 * probe, its record with it (SAFE TO WITHDRAW with the true tip at -3.3 C).
 */
export const PROBE_SWAP_MIN_MS = 1_000;

/**
 * The verdict a tick outside VERDICT_HELD_PHASES uses when the probe reads present with an id other
 * than the attached probe's (`attachedProbeId`: the first id looked up since the probe last read
 * absent for PROBE_SWAP_MIN_MS, whatever its record's verdict): unusable, whatever the record under
 * the id read says. A probe reading present throughout cannot have changed (a probe swap reads
 * absent for longer than that), so another id is the id chip misread. Asked, the provider
 * answered "not read yet" for one tick and then the record stored under the id read, another
 * probe's when the store holds one: after a treatment stopped mid-freeze the step corrected the
 * frozen tip with that probe's fit, 6 C apart, and SAFE TO WITHDRAW came on with the true tip at
 * -3.3 C (withdraw-while-frozen); a misread spanning a start's self-test ran the treatment on that
 * probe's fit and diameter (estimate-models-other-probe). Unusable, a misread of a few samples
 * after gas is ridden out (TIP_UNUSABLE_DEBOUNCE_MS) and a longer one makes the tip unknown, never
 * warm; in SelfTest and Ready CALIBRATION_INVALID trips, as the "not read yet" of any changed id
 * always did. Ids are compared as they are looked up (`fittedProbeId` for a probe that reports
 * none: a chip answering no id and then its own, on a board with that fitted id, is one probe).
 * What this cannot tell: a misread already on the first read after the probe is attached is taken
 * as the attached probe (its record, when the store holds a usable one, used; the probe's own id
 * then a misread until it reads absent again). Null when the verdict stands.
 * tests/probe-id-misread.test.ts.
 */
export function misreadProbeId(phase: Phase, probe: Readings['probe'], attachedProbeId: string | null | undefined, verdict: ProbeCalibration, fittedProbeId: string | null = null): ProbeCalibration | null {
  if (attachedProbeId === undefined || !probe.present || VERDICT_HELD_PHASES.includes(phase)) return null;
  const readId = probe.id ?? fittedProbeId;
  if (readId === attachedProbeId) return null;
  const shown = (id: string | null): string => (id === null ? '(no id)' : quoteProbeId(id));
  return uncalibrated(verdict.thermocoupleType, `the probe's id reads ${shown(readId)}, not ${shown(attachedProbeId)}, and the probe has not read absent for ${PROBE_SWAP_MIN_MS / MS_PER_S} s: the id chip misread, or the probe was changed in under ${PROBE_SWAP_MIN_MS / MS_PER_S} s (unplug it for at least ${PROBE_SWAP_MIN_MS / MS_PER_S} s and plug it in again)`);
}

export interface ControlLoopOptions {
  readonly hal: Hal;
  readonly settings: Settings;
  readonly logger: Logger;
  readonly startMs: number;
  /** The attached probe's calibration, held in memory (no file is read in a tick): every tip
   * reading passes through it. */
  readonly calibration: TickCalibration;
  /** The probe id the calibration looks a probe that reports no id up by (withFittedProbeId), so
   * that misreadProbeId compares ids as they are looked up; null or absent: none. */
  readonly fittedProbeId?: string | null;
  /** Called after every completed tick (telemetry, UI, the HIL runner's recorder). */
  readonly onStep?: (nowMs: number, readings: ControllerReadings, result: StepResult) => void;
  /**
   * Test seam, not a production option: the control step to run, by default the real controller
   * `step`. Only tests set it (a deliberately broken controller, to prove the fuzzer finds the
   * fault and that a failed invariant latches the loop safe) and the benchmark (the step without
   * its invariant check, to measure the check's cost); the CLI and board sessions never pass it.
   */
  readonly step?: StepFunction;
  /**
   * Test seam, not a production option: whether a tick keeps the last calibration verdict, by
   * default verdictHeld. Only tests set it (`() => false`: the defects the fuzzer's
   * calibration-held invariant exists for, put back to prove a campaign finds them); the CLI never
   * passes it.
   */
  readonly holdsVerdict?: (phase: Phase, probePresent: boolean) => boolean;
  /** The console side's liveness at the tick's time (src/console/link.ts); unwatched by default. */
  readonly consoleWatch?: (nowMs: number) => ConsoleWatch;
  /** The treatment records' health at the tick's time (src/runtime/records-link.ts); unwatched by default. */
  readonly recordsWatch?: (nowMs: number) => RecordsWatch;
  /** What the records say an interrupted treatment's site already froze (a restart after a crash). */
  readonly priorSite?: PriorSite | null;
  /** Called when the settings change (a protocol chosen on the console), for the recorder and
   * the status line. */
  readonly onSettings?: (settings: Settings) => void;
  /**
   * The step writes each tick's state and result into objects the loop keeps, two of each used in
   * turn, instead of new ones (src/controller/workspace.ts Recycling): a quiet tick's step then
   * allocates nothing. The state and result a tick gives (`state`, onStep's `result`) are valid
   * only until the tick after next: whoever keeps one longer must copy what it keeps. The
   * treatment simulation sets it (src/sim/runner.ts: `cryo simulate`, the benchmark), whose
   * recorder copies numbers out of each tick. Everything else steps with new objects: `cryo run`
   * (its console, records and telemetry were written to keep the step's values as they are), the
   * fuzzer and the scenario runner (their invariant checker and trace keep observations across
   * ticks). Off by default.
   */
  readonly recycleStates?: boolean;
}

/** The buttons a console page may press. Each acts like the hardware button: a press for one tick. */
export type ConsolePress = 'start' | 'stop' | 'acknowledge' | 'audioPause';
const CONSOLE_PRESSES: readonly ConsolePress[] = ['start', 'stop', 'acknowledge', 'audioPause'];

/** Why a protocol change was refused (a treatment under way; cycles already begun at this site
 * with another protocol; a protocol the settings schema refuses), with the reason; null when
 * applied. */
export type ProtocolRefusal = { readonly kind: 'under-way' | 'site-in-use' | 'invalid'; readonly reason: string } | null;

const sameFigures = (a: Protocol, b: Protocol): boolean => a.cycles === b.cycles && a.freezeS === b.freezeS && a.thawS === b.thawS;
const sameProtocol = (a: Protocol, b: Protocol): boolean => sameFigures(a, b) && a.targetRadiusMm === b.targetRadiusMm;
const protocolText = (p: Protocol): string => `${p.cycles} x ${p.freezeS} s freeze / ${p.thawS} s thaw`;

/** What a treatment started from the console page falls back to: the run's own protocol (settings
 * file and flags, with its target radius if it has one), kept when the start's figures are its
 * figures, and the run's nerve (`--target`), judging a start that names none. */
export interface RunDefaults {
  readonly protocol: Protocol;
  readonly nerveId: string | null;
}

/** The run's defaults as the run's settings give them (before any choice on the console page). */
export function runDefaultsOf(settings: Settings): RunDefaults {
  return Object.freeze({ protocol: settings.protocol, nerveId: settings.iceBall.nerveId });
}

/** The shape of the pure control step (`src/controller/step.ts`). */
export type StepFunction = typeof step;

export class ControlLoop {
  readonly #hal: Hal;
  #settings: Settings;
  readonly #logger: Logger;
  readonly #calibration: TickCalibration;
  readonly #onStep: ((nowMs: number, readings: ControllerReadings, result: StepResult) => void) | undefined;
  readonly #step: StepFunction;
  /** The step's scratch objects, reused every tick (src/controller/workspace.ts): a quiet tick's
   * step then builds no context, event list or intermediate state of its own. */
  readonly #workspace: StepWorkspace;
  readonly #consoleWatch: (nowMs: number) => ConsoleWatch;
  readonly #recordsWatch: (nowMs: number) => RecordsWatch;
  readonly #onSettings: ((settings: Settings) => void) | undefined;
  /** The run's own protocol (settings file and flags), with its target radius if it has one, and
   * the nerve a treatment is judged for when its start chose none: the run's (`--target`). */
  readonly #runDefaults: RunDefaults;
  /** The nerve a start from the console page chose for the treatment it begins; null: the run's. */
  #nextNerveId: string | null = null;
  /** Console presses for the next tick, and those held in the last one (released for a tick
   * before the same button is pressed again, so the step always sees a rising edge). */
  readonly #pressNext: Record<ConsolePress, boolean> = { start: false, stop: false, acknowledge: false, audioPause: false };
  readonly #pressHeld: Record<ConsolePress, boolean> = { start: false, stop: false, acknowledge: false, audioPause: false };
  /** Some press is waiting or held: false on almost every tick, which then skips the presses. */
  #pressesPending = false;
  #state: ControllerState;
  #lastOutputs: Outputs;
  #failure: unknown = null;
  /** The calibration verdict the last tick used: held through VERDICT_HELD_PHASES and while the
   * probe reads absent (verdictHeld). */
  #verdict: ProbeCalibration | null = null;
  /** A start or acknowledge pressed while the probe read absent outside VERDICT_HELD_PHASES: the
   * re-read it asks for is asked on the first tick the probe reads present again. */
  #recheckWhenPresent = false;
  /** The attached probe's id as looked up (misreadProbeId); undefined until a probe with an id reads
   * present outside a freeze and its thaw. */
  #attachedProbeId: string | undefined = undefined;
  /** Since when, and for how many consecutive ticks, the probe has read absent; null and 0 while
   * it reads present. */
  #absentSinceMs: number | null = null;
  #absentTicks = 0;
  /** PROBE_SWAP_MIN_MS in ticks at loop.rateHz. */
  readonly #swapMinTicks: number;
  readonly #fittedProbeId: string | null;
  readonly #holdsVerdict: (phase: Phase, probePresent: boolean) => boolean;

  constructor(options: ControlLoopOptions) {
    this.#hal = options.hal;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#calibration = options.calibration;
    this.#onStep = options.onStep;
    this.#step = options.step ?? step;
    this.#workspace = createStepWorkspace({ recycle: options.recycleStates === true });
    this.#holdsVerdict = options.holdsVerdict ?? verdictHeld;
    this.#consoleWatch = options.consoleWatch ?? (() => CONSOLE_UNWATCHED);
    this.#recordsWatch = options.recordsWatch ?? (() => RECORDS_UNWATCHED);
    this.#onSettings = options.onSettings;
    this.#runDefaults = runDefaultsOf(options.settings);
    // A probe absent for PROBE_SWAP_MIN_MS may come back as another probe.
    this.#swapMinTicks = Math.ceil((PROBE_SWAP_MIN_MS * options.settings.loop.rateHz) / MS_PER_S);
    this.#fittedProbeId = options.fittedProbeId ?? null;
    this.#state = initialState(options.startMs, options.priorSite ?? null);
    // Fail safe at start-up: never trust a back-end's or a library's initial output level.
    this.#hal.toSafeState();
    this.#lastOutputs = this.#state.outputs;
  }

  get state(): ControllerState {
    return this.#state;
  }

  get settings(): Settings {
    return this.#settings;
  }

  get lastOutputs(): Outputs {
    return this.#lastOutputs;
  }

  /** The run's protocol and nerve, fixed for the loop's life: what setProtocol and a treatment's
   * start fall back to (the console snapshot's startTargets are worked out from them). */
  get runDefaults(): RunDefaults {
    return this.#runDefaults;
  }

  /**
   * A press from the console page, handed to the step at the next tick as if the hardware button
   * had been pressed for that one tick (ORed into the board's own input): nothing bypasses the step.
   */
  consolePress(press: ConsolePress): void {
    this.#pressNext[press] = true;
    this.#pressesPending = true;
  }

  /**
   * Runs the next treatments with `protocol`, validated again by the settings schema (bounds and
   * the cumulative cap). Refused, changing nothing, while a treatment is under way, once a cycle
   * has begun at this site (the step counts the site's cycles against the protocol's: a longer
   * protocol would re-open a site it closed, without the new-site press that says the probe has
   * moved), or when the protocol is invalid; the reason names which. The protocol already in
   * force is always accepted (nothing changes).
   * A protocol's target radius (protocol.targetRadiusMm) is the run's protocol's: `protocol`
   * without one but with the run's figures is the run's protocol, its target included; other
   * figures (a preset, a custom protocol from the page) have none, so their freezes are judged
   * against the nerve's target or iceBall.targetRadiusMm (settings.ts targetRadiusMm).
   */
  setProtocol(chosen: Protocol): ProtocolRefusal {
    const { phase, cyclesBegun } = this.#state;
    if (TREATING_PHASES.includes(phase)) return { kind: 'under-way', reason: `a treatment is under way (${phase}): the protocol cannot change until it ends` };
    const protocol = chosen.targetRadiusMm === undefined && sameFigures(chosen, this.#runDefaults.protocol) ? this.#runDefaults.protocol : chosen;
    const current = this.#settings.protocol;
    if (sameProtocol(protocol, current)) return null;
    if (cyclesBegun > 0) {
      return {
        kind: 'site-in-use',
        reason: `${cyclesBegun} of ${current.cycles} cycles (${protocolText(current)}) have begun at this site: the protocol can change only at a new site (withdraw the probe and choose new site first)`,
      };
    }
    let next: Settings;
    try {
      next = withProtocol(this.#settings, protocol, 'console protocol');
    } catch (err) {
      return { kind: 'invalid', reason: (err as Error).message };
    }
    const wasMm = targetRadiusMm(this.#settings, this.#settings.iceBall.nerveId);
    const targetMm = targetRadiusMm(next, next.iceBall.nerveId);
    if (targetMm !== wasMm) this.#logger.info({ protocol, targetMm }, `protocol ${protocolText(protocol)}: freezes are judged against r(-20 C) ${targetMm} mm from now on (was ${wasMm} mm)`);
    this.#settings = next;
    this.#onSettings?.(next);
    return null;
  }

  /**
   * Why `nerveId` cannot be the target nerve of a treatment, naming the field and the value: not
   * in the nerve catalog, or refused by the settings schema; null when it can. Changes nothing:
   * a start from the console page is checked with it before anything is applied or pressed.
   */
  nerveRefusal(nerveId: string): string | null {
    const shown = JSON.stringify(nerveId.slice(0, MAX_TARGET_CHARS));
    if (findNerve(nerveId) === undefined) return `target.nerveId: unknown nerve ${shown} (not in the catalog)`;
    try {
      withNerve(this.#settings, nerveId, 'target.nerveId');
    } catch (err) {
      return (err as Error).message;
    }
    return null;
  }

  /**
   * The nerve the treatment the next start begins is judged for (its target radius, the
   * efficacy verdict: review of issue 11, M2), chosen with a start on the console page; null:
   * the run's (`--target`), as for a start from the hardware button. Applied to the settings in
   * the tick the treatment begins (its phase to SelfTest), so the step stays a function of its
   * arguments and the settings stay fixed through a treatment; dropped when the step refuses
   * the start, as the records drop its target (RecordsLink.useTarget). Checked first with
   * nerveRefusal: an unchecked nerve here is a bug.
   */
  useNerve(nerveId: string | null): void {
    assert(nerveId === null || this.nerveRefusal(nerveId) === null, `useNerve: nerve ${JSON.stringify(nerveId)} was not checked with nerveRefusal`);
    this.#nextNerveId = nerveId;
  }

  /** What made a tick throw (a failed step assertion, a broken back-end); null while none has.
   * Latched: from then on every tick keeps the outputs safe and runs no step. */
  get failure(): unknown {
    return this.#failure;
  }

  /**
   * One control period. A throw anywhere (a failed invariant in the step is a bug) commands the
   * safe outputs, puts the HAL in its safe state, logs, latches and propagates; every later tick
   * writes the safe outputs again (valves closed, heartbeat still, so the hardware watchdog cuts
   * valve power too) and runs no step, until the console is restarted.
   */
  tick(nowMs: number): StepResult {
    if (this.#failure !== null) return this.#latchedTick();
    try {
      const raw = this.#withConsolePresses(this.#hal.read());
      // A start press asks for the probe's record to be read again, outside this tick: expiry is
      // judged per treatment, and a probe calibrated while the console runs is seen without a
      // restart. An acknowledge asks for it only while the verdict is unusable (to clear
      // CALIBRATION_INVALID once the probe is calibrated): a usable verdict is not replaced by an
      // acknowledge's read, so a record that expired during a treatment and the usual
      // acknowledge after it do not drop the fit the treatment ran on, which after gas makes the
      // tip unknown (step.ts unusableAfterGas: an hour's wait for a probe read warm). The next
      // start reads it again and CALIBRATION_INVALID judges it. Not during a freeze or its thaw
      // (VERDICT_HELD_PHASES): the verdict the treatment started with holds to its end, whatever
      // the press or the probe id. Nor while the probe reads absent (verdictHeld).
      const was = this.#state.inputs;
      const acknowledged = raw.operator.acknowledge && !was.acknowledge;
      const pressed = (raw.operator.start && !was.start) || (acknowledged && this.#verdict?.ok !== true);
      const phase = this.#state.phase;
      let verdict = this.#holdsVerdict(phase, raw.probe.present) ? this.#verdict : null;
      if (verdict === null) {
        verdict = this.#calibration.inTick(raw.probe.id, pressed || this.#recheckWhenPresent);
        this.#recheckWhenPresent = false;
      } else if (!raw.probe.present && !VERDICT_HELD_PHASES.includes(phase)) {
        this.#recheckWhenPresent ||= pressed;
      }
      this.#verdict = verdict;
      const used = this.#attachedProbe(nowMs, phase, raw.probe, verdict);
      const readings = calibrateReadings(raw, used, this.#consoleWatch(nowMs), this.#recordsWatch(nowMs));
      const result = this.#step(nowMs, this.#settings, readings, this.#state, this.#workspace);
      // On a trip the back-end goes to its safe state first; the written outputs (valves closed,
      // alarm lamps and buzzer on) then follow in the same tick.
      if (anyTrip(result.events)) this.#hal.toSafeState();
      this.#hal.write(result.outputs);
      this.#state = result.state;
      this.#lastOutputs = result.outputs;
      const events = result.events;
      if (events.length > 0) this.#judgeFor(events);
      for (let i = 0; i < events.length; i++) {
        const event = events[i];
        if (event !== undefined) logEvent(this.#logger, event);
      }
      this.#onStep?.(nowMs, readings, result);
      return result;
    } catch (err) {
      this.#failure = err;
      this.#writeSafe();
      this.#logger.fatal({ err }, 'control step failed: outputs put in the safe state; the controller stays stopped until the console is restarted');
      throw err;
    }
  }

  /** The verdict this tick uses (misreadProbeId), after noting the attached probe: forgotten once
   * the probe has read absent for PROBE_SWAP_MIN_MS (in time and in ticks), taken from the first
   * id (as looked up) read for a probe reading present after that, whatever its record's verdict:
   * taken from the first usable verdict instead, a probe whose own record is unusable (expired,
   * missing) had none attached for as long as it stayed so, and a misread onto another probe's
   * usable record was taken for it (a start during the misread ran on that probe's fit and
   * diameter). */
  #attachedProbe(nowMs: number, phase: Phase, probe: Readings['probe'], verdict: ProbeCalibration): ProbeCalibration {
    if (!probe.present) {
      this.#absentSinceMs ??= nowMs;
      this.#absentTicks += 1;
      if (nowMs - this.#absentSinceMs >= PROBE_SWAP_MIN_MS && this.#absentTicks >= this.#swapMinTicks) this.#attachedProbeId = undefined;
      return verdict;
    }
    this.#absentSinceMs = null;
    this.#absentTicks = 0;
    const lookedUpId = probe.id ?? this.#fittedProbeId;
    // No id, or one that cannot name a record file (a chip answering garbage while the probe goes
    // in): no record can be found under it, so none can be another probe's; the next id is taken.
    if (this.#attachedProbeId === undefined && lookedUpId !== null && isValidProbeId(lookedUpId) && !VERDICT_HELD_PHASES.includes(phase)) this.#attachedProbeId = lookedUpId;
    return misreadProbeId(phase, probe, this.#attachedProbeId, verdict, this.#fittedProbeId) ?? verdict;
  }

  /** A treatment begun this tick is judged for the nerve its start chose, else the run's: the
   * settings change here, between ticks, before the observers (records, recorder) see the tick
   * that begins it. A start the step refused drops the chosen nerve. */
  #judgeFor(events: readonly ControllerEvent[]): void {
    for (const event of events) {
      if (event.kind === 'refused' && event.input === 'start') this.#nextNerveId = null;
      if (event.kind !== 'phase' || event.to !== 'SelfTest') continue;
      const nerveId = this.#nextNerveId ?? this.#runDefaults.nerveId;
      this.#nextNerveId = null;
      if (nerveId === this.#settings.iceBall.nerveId) continue;
      this.#settings = withNerve(this.#settings, nerveId, 'treatment target');
      const targetMm = targetRadiusMm(this.#settings, nerveId);
      this.#logger.info({ nerveId, targetMm }, `this treatment's freezes are judged against r(-20 C) ${targetMm} mm (${nerveId ?? 'no target nerve'})`);
      this.#onSettings?.(this.#settings);
    }
  }

  /** The board's operator inputs with this tick's console presses ORed in. A press held in the
   * last tick waits one tick, released, so the step sees a new rising edge. */
  #withConsolePresses(raw: Readings): Readings {
    if (!this.#pressesPending) return raw;
    let operator: { -readonly [K in keyof Readings['operator']]: Readings['operator'][K] } | null = null;
    let pending = false;
    for (const press of CONSOLE_PRESSES) {
      const now = this.#pressNext[press] && !this.#pressHeld[press];
      this.#pressHeld[press] = now;
      if (now) {
        this.#pressNext[press] = false;
        operator ??= { ...raw.operator };
        operator[press] = true;
      }
      pending ||= this.#pressNext[press] || this.#pressHeld[press];
    }
    this.#pressesPending = pending;
    return operator === null ? raw : { ...raw, operator };
  }

  #latchedTick(): StepResult {
    this.#writeSafe();
    return { outputs: SAFE_OUTPUTS, state: this.#state, events: [] };
  }

  /** The safe outputs, commanded and then forced by the back-end (which never throws). */
  #writeSafe(): void {
    try {
      this.#hal.write(SAFE_OUTPUTS);
    } catch {
      // The back-end may be what failed; its safe state below does not depend on a write.
    }
    this.#lastOutputs = SAFE_OUTPUTS;
    this.#hal.toSafeState();
  }
}

/** A plain loop, not `some` with a closure: this runs every tick (bench/sim.ts). An advisory's
 * trip (INEFFECTIVE_FREEZE) acts on nothing, so it does not take the HAL to its safe state. */
/** Indexed: it runs every tick, mostly on the shared empty list, and a for-of allocated an iterator. */
function anyTrip(events: readonly ControllerEvent[]): boolean {
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event?.kind === 'trip' && !isAdvisory(event.id)) return true;
  }
  return false;
}

export function logEvent(logger: Logger, event: ControllerEvent): void {
  const atS = Number((event.atMs / 1000).toFixed(3));
  switch (event.kind) {
    case 'phase':
      logger.info({ event: 'phase', atS, from: event.from, to: event.to, cycle: event.cycle }, `phase ${event.from} -> ${event.to}`);
      return;
    case 'trip':
      logger.warn(
        { event: 'trip', atS, id: event.id, priority: event.priority, latched: event.latched, detail: event.detail },
        `interlock ${event.id}: ${event.detail}. ${event.hint}`,
      );
      return;
    case 'cleared':
      logger.info({ event: 'cleared', atS, id: event.id }, `interlock ${event.id} cleared`);
      return;
    case 'acknowledge':
      logger.info({ event: 'acknowledge', atS, silenced: event.silenced }, 'acknowledged');
      return;
    case 'alarm-reset':
      logger.info({ event: 'alarm-reset', atS, reset: event.reset }, `latched alarm signals reset: ${event.reset.join(', ')}`);
      return;
    case 'audio-pause':
      if (event.action === 'start') {
        const untilS = Number((event.untilMs / 1000).toFixed(3));
        logger.info({ event: 'audio-pause', atS, action: 'start', untilS }, `audio paused until ${untilS} s: the alarm lamps stay`);
      } else {
        logger.info({ event: 'audio-pause', atS, action: 'end', reason: event.reason }, `audio pause ended (${event.reason})`);
      }
      return;
    case 'input':
      logger.info({ event: 'input', atS, input: event.input }, `operator: ${event.input}`);
      return;
    case 'refused':
      logger.warn({ event: 'refused', atS, input: event.input, reason: event.reason }, `${event.input} refused: ${event.reason}`);
      return;
    case 'tip-unknown':
      logger.warn({ event: 'tip-unknown', atS, reason: event.reason }, `tip temperature unknown (${event.reason}): wait the thaw time shown before withdrawing`);
      return;
    case 'safe-to-withdraw':
      logger.info({ event: 'safe-to-withdraw', atS, safe: event.safe }, event.safe ? 'safe to withdraw the probe' : 'do not withdraw the probe');
      return;
    case 'freeze-verdict': {
      const v = event.verdict;
      const reach = v.r20MmAtEnd === null ? 'r(-20 C) unknown (no estimate)' : `estimated r(-20 C) ${v.r20MmAtEnd.toFixed(1)} mm`;
      const fields = { event: 'freeze-verdict', atS, cycle: v.cycle, r20MmAtEnd: v.r20MmAtEnd, targetMm: v.targetMm, atTargetMs: v.atTargetMs, effective: v.effective };
      const msg = `freeze ${v.cycle} ${v.effective ? 'effective' : 'NOT effective'}: ${reach}, target ${v.targetMm.toFixed(1)} mm`;
      if (v.effective) logger.info(fields, msg);
      else logger.warn(fields, msg);
      return;
    }
  }
}
