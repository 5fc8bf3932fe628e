// The interlock table (shared/conventions.md: interlocks are data). A record keyed by interlock
// id: the ids come from it (InterlockId is its keys), so a row cannot be missing from the state,
// the settings or the docs. Each row names the hazard it controls (ISO 14971 chain in
// docs/safety.md), its condition, debounce, latching, IEC 60601-1-8 priority and the hint shown to
// the operator. A row's `check` returns a detail naming the triggering value when the condition
// holds, null otherwise. A row that must remember something between ticks owns that memory
// (`memory`: its type, initial value and update, in interlock-memory/), kept in the controller
// state under the row's id. Adding an interlock is adding a row.
import { assert } from '../../kernel/assert.js';
import { deepFreeze } from './deep-freeze.js';
import type { TickContext } from './context.js';
import { floorAbove, periodMs } from './context.js';
import type { ConsoleWatch, RecordsWatch } from './probe-calibration.js';
import type { Settings } from './settings.js';
import type { ControllerState, InterlockStatus } from './state.js';
import { coolingMemory } from './interlock-memory/insufficient-cooling.js';
import { lateStepsMemory } from './interlock-memory/loop-overrun.js';
import { returnTrendMemory } from './interlock-memory/return-line-blocked.js';
import type { MemoryInput, RowMemory } from './interlock-memory/row-memory.js';
import { MIN_WARMING_AFTER_CLOSE_C, stuckSensorMemory } from './interlock-memory/sensor-stuck.js';
import { ineffectiveAckMemory, lastIneffective } from './interlock-memory/ineffective-freeze.js';
import type { AlarmPriority, Phase } from './types.js';
import { TREATING_PHASES } from './types.js';

export { MIN_WARMING_AFTER_CLOSE_C };

export interface InterlockRow {
  readonly hazard: string;
  readonly condition: string;
  /** Phases in which a trip acts. Outside them the condition is still evaluated (to clear it). */
  readonly armedIn: readonly Phase[];
  /** Default debounce: the condition must be seen in this much time's worth of samples (judged k
   * of 2k, see debounceSamples) before it trips. */
  readonly debounceMs: number;
  /** The largest debounce a settings file may give the row, keeping it meaningful; 0 for an edge
   * row, which acts in the tick it is seen and cannot be debounced at all. */
  readonly maxDebounceMs: number;
  /** Why an edge row cannot be debounced (shown when a settings file tries). */
  readonly noDebounceReason?: string;
  /** Latched trips go to Fault and need the condition gone plus an acknowledge; others to Stopped. */
  readonly latch: boolean;
  readonly priority: AlarmPriority;
  readonly hint: string;
  /** After this row trips the tip reading is not trusted to say the probe has thawed
   * (src/controller/withdrawal.ts): the console shows the tip as unknown with a wait. */
  readonly distrustsTip?: boolean;
  /** This row judges the valves after the supply closes: the freeze's verify-closed tail lasts
   * long enough for it to see flow and debounce it (closeVerifyWindowMs). */
  readonly judgesValveClosing?: boolean;
  /** An advisory row (INEFFECTIVE_FREEZE): its trip raises the alarm condition, its signals and
   * the log entry (the trip and cleared events) and nothing else. It never closes or opens a
   * valve (anyTripped ignores it), never changes the phase (the step ignores its trips), never
   * blocks a start (it is not armed in Freezing, conditionBlocksFreeze's phase) and never holds
   * an acknowledge in Fault. It must not latch, and it is armed only in phases where both valves
   * are already commanded closed; the runtime calls the HAL's safe state on acting trips only
   * (tests/loop-advisory-safe-state.test.ts). */
  readonly advisory?: boolean;
  /** What the row remembers between ticks; absent for a row that judges each tick afresh. */
  readonly memory?: RowMemory<unknown>;
  readonly check: (ctx: TickContext) => string | null;
}

/** A row of the table with its id (the record key). */
export interface Interlock extends InterlockRow {
  readonly id: InterlockId;
}

const ALL_PHASES: readonly Phase[] = ['Idle', 'SelfTest', 'Ready', 'Freezing', 'Thawing', 'Complete', 'Stopped', 'Fault'];
const FREEZING: readonly Phase[] = ['Freezing'];
/** Phases where gas may be about to flow: the start-blocking checks apply here. */
const START_AND_FREEZE: readonly Phase[] = ['SelfTest', 'Ready', 'Freezing'];

/** Where INEFFECTIVE_FREEZE acts: the thaw after a freeze that ran to its end, and the completed
 * treatment. Both valves are always commanded closed there. A freeze ended by a stop or a trip
 * (Stopped, Fault) has its verdict recorded but raises no advisory: the alarm or the operator's
 * own act that ended it already says the treatment was cut short. */
const AFTER_A_WHOLE_FREEZE: readonly Phase[] = ['Thawing', 'Complete'];

/** Debounce figures: 100 ms = 5 samples at 50 Hz, the "few consecutive bad samples" of Klipper. */
const FEW_SAMPLES_MS = 100;
const PRESSURE_DEBOUNCE_MS = 500;

/** The exhaust vents to the room: its absolute pressure cannot be below half an atmosphere (even
 * at altitude) nor, with the blocked-line trip at 3 bar, credibly above 20 bar. */
export const RETURN_PLAUSIBLE_MIN_BAR = 0.5;
export const RETURN_PLAUSIBLE_MAX_BAR = 20;

const isFreezeOpen = (c: TickContext): boolean => c.state.phase === 'Freezing' && c.state.sub === 'freeze-open';

/**
 * A supply reading that is not a number is PRESSURE_SENSOR_FAULT's. The low and high rows still
 * count it as evidence until that row has tripped: a transducer alternating between no number and
 * out-of-window readings would otherwise split its bad samples between rows with different
 * windows and trip none (review of issue 8, D1). Once the sensor fault has its own evidence (its
 * debounce is met, or it has tripped) they stop counting, so a dead transducer trips one
 * interlock, not two (with the default windows the sensor fault's is the shorter, so it gets
 * there first).
 */
function unreadableSupplyEvidence(c: TickContext): string | null {
  const sensor = c.state.interlocks.PRESSURE_SENSOR_FAULT;
  const debounceMs = c.settings.debounceMs.PRESSURE_SENSOR_FAULT ?? INTERLOCK_TABLE.PRESSURE_SENSOR_FAULT.debounceMs;
  const sensorHasIt = sensor.tripped || sensor.badTicks.length >= debounceSamples(debounceMs, periodMs(c.settings));
  return sensorHasIt ? null : `supply transducer reads ${c.readings.supply.barGauge}`;
}

/** The table and each of its rows frozen, in place: the step reads a row's check through two
 * paths (noConditionPresent through the table, judgeRows through ROWS_FOR_STEP's copy made at
 * load), and a row written after load would otherwise be seen by one and not the other. */
function frozenRows<T extends Record<string, InterlockRow>>(table: T): Readonly<T> {
  for (const row of Object.values(table)) Object.freeze(row);
  return Object.freeze(table);
}

export const INTERLOCK_TABLE = frozenRows({
  TIP_BELOW_ABSOLUTE_LIMIT: {
    hazard: 'Tip below -100 C: irreversible nerve destruction (neurotmesis)',
    condition: 'any usable tip channel below tip.absoluteLimitC (-100 C), whatever else is true',
    armedIn: ALL_PHASES,
    debounceMs: FEW_SAMPLES_MS,
    maxDebounceMs: 500,
    latch: true,
    priority: 'high',
    distrustsTip: true,
    hint: 'Tip reads below -100 C: impossible for CO2. Check the gas and the probe; do not treat.',
    check: (c): string | null =>
      c.coldestTip !== null && c.coldestTip.tipC < c.settings.tip.absoluteLimitC
        ? `tip ${c.coldestTip.tipC.toFixed(2)} C below ${c.settings.tip.absoluteLimitC} C`
        : null,
  },
  TIP_BELOW_PHYSICAL_FLOOR: {
    hazard: 'A reading colder than CO2 can reach: failed sensor, wrong gas (N2O) or wrong probe; the lesion is not what the display says',
    condition: "tip below Tsub(the return pressure, never less than pressure.ambientBarAbs) - (the thermocouple type's tolerance at -78.5 C: T 1.18, K 2.2 + tip.floorMarginC)",
    armedIn: ALL_PHASES,
    debounceMs: FEW_SAMPLES_MS,
    maxDebounceMs: 500,
    latch: true,
    priority: 'high',
    distrustsTip: true,
    hint: 'Tip reads colder than CO2 can physically reach: wrong gas, wrong probe or a failed sensor. Replace before treating.',
    check: (c): string | null => {
      const tip = c.coldestTip;
      const floorC = tip === null ? null : floorAbove(tip.tipC, c.returnLine, c.settings, c.readings.calibration.thermocoupleType);
      return tip === null || floorC === null ? null : `tip ${tip.tipC.toFixed(2)} C below the physical floor ${floorC.toFixed(2)} C`;
    },
  },
  THERMOCOUPLE_FAULT: {
    hazard: 'Tip temperature unknown: the freeze cannot be verified or limited',
    condition: 'a fault bit (open, short to GND/VCC, cold-junction range), a non-finite value, or a value outside tip.minValidC..maxValidC',
    armedIn: TREATING_PHASES,
    debounceMs: FEW_SAMPLES_MS,
    maxDebounceMs: 500,
    latch: true,
    priority: 'high',
    distrustsTip: true,
    hint: 'Thermocouple fault: check the probe connector and cable. The tip temperature is unknown: wait the displayed time (the passive thaw bound for the site freeze total, from the last gas flow) before withdrawing.',
    check: (c): string | null => c.tcProblem,
  },
  SENSOR_STALE: {
    hazard: 'Control acts on old data: the freeze is not limited by what the tip is doing now',
    condition: 'any input sample older than tip.staleMs',
    armedIn: TREATING_PHASES,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'staleness is already judged over tip.staleMs',
    latch: true,
    priority: 'high',
    distrustsTip: true,
    hint: 'Sensor data stopped arriving: check the sensor front-end connection.',
    check: (c): string | null => c.staleProblem,
  },
  SENSOR_STUCK: {
    hazard: 'A stuck sensor reads a plausible constant: over-freeze or under-freeze goes unseen',
    condition:
      'the tip reading spans less than tip.stuckMinSpanC over tip.stuckWindowMs in a freeze, or while it must warm (a thaw, or Ready before a resumed freeze) and is not above thaw.endTipC plus the calibration uncertainty of the reading, or does not warm after the supply closes while the return line shows no flow; stays present until the probe is disconnected (it cannot be checked again without gas flowing)',
    armedIn: ['Ready', 'Freezing', 'Thawing'],
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'the stuck judgement is already a window (tip.stuckWindowMs)',
    latch: true,
    priority: 'high',
    distrustsTip: true,
    hint: 'Tip reading is frozen at one value: the sensor is stuck. The tip temperature is unknown: wait the displayed time before withdrawing, then replace the probe.',
    memory: stuckSensorMemory,
    check: (c): string | null => c.state.memory.SENSOR_STUCK.suspect,
  },
  SUPPLY_PRESSURE_LOW: {
    hazard: 'Too little cooling: the ice ball does not reach -20 C at the nerve (ineffective treatment)',
    condition: 'supply pressure below pressure.supplyLowBar (default 40 bar) (a reading that is no number counts too, until PRESSURE_SENSOR_FAULT has its own evidence); blocks start and the next freeze',
    armedIn: TREATING_PHASES,
    debounceMs: PRESSURE_DEBOUNCE_MS,
    maxDebounceMs: 2_000,
    latch: true,
    priority: 'medium',
    hint: 'Supply pressure low: the cylinder is cold or nearly empty. Replace or warm the cylinder to room temperature.',
    check: (c): string | null => {
      const supply = c.readings.supply.barGauge;
      if (!Number.isFinite(supply)) return unreadableSupplyEvidence(c);
      return supply < c.settings.pressure.supplyLowBar ? `supply ${supply.toFixed(1)} bar below ${c.settings.pressure.supplyLowBar} bar` : null;
    },
  },
  SUPPLY_PRESSURE_HIGH: {
    hazard: 'Over-pressure: probe or line rupture, gas in tissue',
    condition: 'supply pressure above pressure.supplyHighBar (default 70 bar) (a reading that is no number counts too, until PRESSURE_SENSOR_FAULT has its own evidence)',
    armedIn: TREATING_PHASES,
    debounceMs: PRESSURE_DEBOUNCE_MS,
    maxDebounceMs: 1_000,
    latch: true,
    priority: 'high',
    hint: 'Supply pressure too high: the cylinder is too warm or the regulator failed. Close the cylinder.',
    check: (c): string | null => {
      const supply = c.readings.supply.barGauge;
      if (!Number.isFinite(supply)) return unreadableSupplyEvidence(c);
      return supply > c.settings.pressure.supplyHighBar ? `supply ${supply.toFixed(1)} bar above ${c.settings.pressure.supplyHighBar} bar` : null;
    },
  },
  RETURN_LINE_BLOCKED: {
    hazard: 'Blocked exhaust: pressure inside the probe rises (rupture, gas in tissue) and the tip warms',
    condition: 'return pressure above pressure.returnBlockedBar, or rising by returnRiseBar while the tip warms by tipWarmingC within trendWindowMs during a freeze',
    armedIn: TREATING_PHASES,
    debounceMs: 200,
    maxDebounceMs: 1_000,
    latch: true,
    priority: 'high',
    hint: 'Return line blocked: check the exhaust line for kinks, ice or a closed port. Do not restart until clear.',
    memory: returnTrendMemory,
    check: (c): string | null => {
      if (c.returnLine !== null && c.returnLine.barAbs > c.settings.pressure.returnBlockedBar) {
        return `return ${c.returnLine.barAbs.toFixed(2)} bar above ${c.settings.pressure.returnBlockedBar} bar`;
      }
      return isFreezeOpen(c) && c.state.memory.RETURN_LINE_BLOCKED.risingWhileWarming ? 'return pressure rising while the tip warms' : null;
    },
  },
  INSUFFICIENT_COOLING: {
    hazard: 'An ice ball too small to reach -20 C at the nerve: the treatment fails (domain section 1, cause d)',
    condition: 'tip not below cooling.targetC within cooling.withinS of the valve opening (or, in a freeze shorter than that, by its end less this row\'s debounce), or back above targetC + hysteresisC during the freeze',
    armedIn: FREEZING,
    debounceMs: 1_000,
    maxDebounceMs: 5_000,
    latch: true,
    priority: 'medium',
    hint: 'Tip not cold enough: check the supply pressure, the probe placement and for an ice-blocked orifice.',
    memory: coolingMemory,
    check: (c): string | null => {
      const s = c.state;
      if (!isFreezeOpen(c) || s.freezeOpenedMs === null) return null;
      const { targetC, withinS, hysteresisC } = c.settings.cooling;
      if (c.state.memory.INSUFFICIENT_COOLING === null) {
        const openMs = c.nowMs - s.freezeOpenedMs;
        // A freeze shorter than withinS is judged before it ends, with time left for the debounce:
        // otherwise the valve would close unjudged and an ice ball that never formed go unreported.
        const debounceMs = c.settings.debounceMs.INSUFFICIENT_COOLING ?? INTERLOCK_TABLE.INSUFFICIENT_COOLING.debounceMs;
        const lastJudgeMs = c.settings.protocol.freezeS * 1000 - debounceMs - 2 * periodMs(c.settings);
        return openMs >= Math.min(withinS * 1000, lastJudgeMs) ? `tip ${fmt(c.tip?.tipC)} C not below ${targetC} C after ${(openMs / 1000).toFixed(1)} s` : null;
      }
      return c.tip !== null && c.tip.tipC > targetC + hysteresisC ? `tip warmed back to ${c.tip.tipC.toFixed(1)} C during the freeze` : null;
    },
  },
  VALVE_FAILURE: {
    hazard: 'A supply valve stuck open: freezing goes on after it should stop (over-freeze, frostbite)',
    condition: 'gas flow (return above pressure.returnFlowBar) with a valve commanded closed for valves.closeVerifyMs or during a single-valve self-test window, or (boards without a return transducer) the tip still cooling at the end of the post-freeze verify window',
    armedIn: ALL_PHASES,
    debounceMs: FEW_SAMPLES_MS,
    maxDebounceMs: 500,
    latch: true,
    priority: 'high',
    hint: 'Gas still flows with the valve closed: the safety valve has been closed. Close the cylinder and service the valve.',
    judgesValveClosing: true,
    check: (c): string | null => {
      const s = c.state;
      const verify = c.settings.valves.closeVerifyMs;
      const singleValveTest = s.sub === 'selftest-safety-only' || s.sub === 'selftest-supply-only';
      if (c.flowDetected && (singleValveTest || closedForMs(c.nowMs, s.supplyClosedSinceMs) >= verify || closedForMs(c.nowMs, s.safetyClosedSinceMs) >= verify)) {
        return `return ${fmt(c.returnLine?.barAbs)} bar shows flow with a valve closed`;
      }
      // Without a return transducer the tip is the only witness of a stuck valve. With one, flow is
      // judged above, and a tip that does not warm with no flow is a stuck sensor (SENSOR_STUCK).
      const noFlowWitness = c.readings.returnLine === null;
      if (noFlowWitness && s.sub === 'freeze-verify-closed' && c.nowMs - s.subSinceMs >= verify && c.tip !== null && s.tipAtSubStartC !== null) {
        const warmedC = c.tip.tipC - s.tipAtSubStartC;
        if (warmedC < MIN_WARMING_AFTER_CLOSE_C) return `tip warmed only ${warmedC.toFixed(2)} C in ${verify} ms after the supply valve closed`;
      }
      return null;
    },
  },
  FREEZE_TIME_LIMIT: {
    hazard: 'Over-freeze: a lesion larger or deeper than intended (a motor nerve, skin)',
    condition: 'supply open longer than protocol.freezeS + freezeLimit.perCycleGraceMs in a cycle, or the site total reaching freezeLimit.cumulativeMaxS',
    armedIn: START_AND_FREEZE,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'freezeLimit.perCycleGraceMs is its allowance; a debounce would lengthen the freeze',
    latch: true,
    priority: 'high',
    hint: 'Freeze time limit reached for this site. Do not freeze this site again.',
    check: (c): string | null => {
      const s = c.state;
      const cycleLimitMs = c.settings.protocol.freezeS * 1000 + c.settings.freezeLimit.perCycleGraceMs;
      if (!START_AND_FREEZE.includes(s.phase)) return null;
      if (s.phase === 'Freezing' && s.cycleFreezeMs > cycleLimitMs) return `freeze ran ${(s.cycleFreezeMs / 1000).toFixed(2)} s, limit ${(cycleLimitMs / 1000).toFixed(2)} s`;
      const capMs = c.settings.freezeLimit.cumulativeMaxS * 1000;
      const over = s.phase === 'Freezing' ? s.cumulativeFreezeMs > capMs + c.settings.freezeLimit.perCycleGraceMs : s.cumulativeFreezeMs >= capMs;
      return over ? `site total ${(s.cumulativeFreezeMs / 1000).toFixed(1)} s, cap ${c.settings.freezeLimit.cumulativeMaxS} s` : null;
    },
  },
  OPERATOR_STOP: {
    hazard: 'The operator must be able to end a treatment at once (wrong nerve, patient movement)',
    condition: 'stop pressed during a treatment (a level: while stop is held no treatment starts)',
    armedIn: TREATING_PHASES,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'a stop press is an event that must act in the tick it is seen',
    latch: false,
    priority: 'low',
    hint: 'Stopped by the operator. Wait for safe-to-withdraw before removing the probe.',
    check: (c): string | null => (c.readings.operator.stop ? 'stop pressed' : null),
  },
  EMERGENCY_STOP: {
    hazard: 'The operator must be able to cut the gas whatever the software does',
    condition: 'emergency stop pressed in (it also cuts valve power in hardware)',
    armedIn: ALL_PHASES,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'an emergency stop must act in the tick it is seen',
    latch: true,
    priority: 'medium',
    hint: 'Emergency stop pressed. Release it and acknowledge to reset.',
    check: (c): string | null => (c.readings.operator.estop ? 'emergency stop pressed' : null),
  },
  FOOTSWITCH_RELEASED: {
    hazard: 'Freezing continues while the operator is not attending the probe',
    condition: 'footswitch released during a freeze, when footswitch.deadman is set',
    armedIn: FREEZING,
    debounceMs: 200,
    maxDebounceMs: 1_000,
    latch: false,
    priority: 'low',
    hint: 'Footswitch released: freezing stopped. Press start to begin a new treatment.',
    check: (c): string | null => (c.settings.footswitch.deadman && c.state.phase === 'Freezing' && !c.readings.operator.footswitch ? 'footswitch up' : null),
  },
  PROBE_DISCONNECTED: {
    hazard: 'Gas vents from an open connector; tip temperature unknown',
    condition: 'probe presence input false',
    armedIn: TREATING_PHASES,
    debounceMs: FEW_SAMPLES_MS,
    maxDebounceMs: 500,
    latch: true,
    priority: 'high',
    distrustsTip: true,
    hint: 'Probe disconnected: reconnect the probe. A frozen probe must thaw before withdrawal.',
    check: (c): string | null => (c.readings.probe.present ? null : 'probe not present'),
  },
  LOOP_OVERRUN: {
    hazard: 'The control loop runs late: trips act late (the hardware watchdog is the backstop)',
    condition: 'loop.maxLateSteps late steps within loop.lateWindowMs, one gap longer than loop.maxGapMs, or the clock going backwards; once tripped it stays until the console is restarted',
    armedIn: TREATING_PHASES,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'a loop gap lasts one tick: any debounce would hide it',
    latch: true,
    priority: 'high',
    hint: 'Controller timing fault: the console must be restarted and checked before further use.',
    memory: lateStepsMemory,
    check: (c): string | null => {
      const l = c.settings.loop;
      // The hint says restart: a timing fault is not cleared by an acknowledge.
      if (c.state.interlocks.LOOP_OVERRUN.tripped) return 'controller timing fault: restart the console';
      if (c.state.lastGapMs < 0) return `clock went backwards by ${(-c.state.lastGapMs).toFixed(0)} ms`;
      if (c.state.lastGapMs > l.maxGapMs) return `step gap ${c.state.lastGapMs.toFixed(0)} ms above ${l.maxGapMs} ms`;
      const late = c.state.memory.LOOP_OVERRUN.length;
      return late >= l.maxLateSteps ? `${late} late steps in ${l.lateWindowMs} ms` : null;
    },
  },
  HAL_FAULT: {
    hazard: 'A hardware back-end is lost: outputs and inputs can no longer be trusted',
    condition: 'a back-end reports its device lost',
    armedIn: ALL_PHASES,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'a lost device must act at once',
    latch: true,
    priority: 'high',
    distrustsTip: true,
    hint: 'Hardware connection lost: check the cables to the controller board and sensor front-end.',
    check: (c): string | null => c.readings.halFault,
  },
  CALIBRATION_INVALID: {
    hazard: 'An uncalibrated, expired or wrong-type probe misreads the tip (10 C warm at -78 C): every freeze is wrong',
    condition: "the probe's calibration record is missing, expired, corrupt or edited, or its thermocouple type is not the board's; blocks start",
    armedIn: ['SelfTest', 'Ready'],
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'the record is judged when it is read; there is nothing to wait for',
    latch: true,
    priority: 'medium',
    distrustsTip: true,
    hint: 'Probe calibration invalid: calibrate the probe (cryo calibrate --probe ID) or fit a calibrated probe.',
    check: (c): string | null => c.readings.calibration.problem,
  },
  PRESSURE_SENSOR_FAULT: {
    hazard: 'A dead pressure transducer blinds the flow, blockage and over-pressure checks: a stuck valve or a blocked exhaust goes unseen',
    condition: `supply reading not a number, or a fitted return transducer reading not a number or outside ${RETURN_PLAUSIBLE_MIN_BAR}-${RETURN_PLAUSIBLE_MAX_BAR} bar absolute`,
    armedIn: TREATING_PHASES,
    debounceMs: FEW_SAMPLES_MS,
    maxDebounceMs: 500,
    latch: true,
    priority: 'high',
    hint: 'Pressure sensor fault: check the transducer cables and connectors before treating.',
    check: (c): string | null => {
      const supply = c.readings.supply.barGauge;
      if (!Number.isFinite(supply)) return `supply transducer reads ${supply}`;
      const ret = c.readings.returnLine;
      if (ret !== null && !(ret.barAbs >= RETURN_PLAUSIBLE_MIN_BAR && ret.barAbs <= RETURN_PLAUSIBLE_MAX_BAR)) {
        return `return transducer reads ${ret.barAbs} bar absolute, outside ${RETURN_PLAUSIBLE_MIN_BAR}-${RETURN_PLAUSIBLE_MAX_BAR}`;
      }
      return null;
    },
  },
  NO_FLOW_SEEN: {
    hazard: 'A return transducer stuck at 1 atm blinds the stuck-valve, leak and blockage checks for the whole freeze; or the probe supply is blocked and nothing freezes',
    condition: 'a fitted return transducer shows no flow (not above pressure.returnFlowBar) with the gas path open for pressure.flowExpectedWithinMs and the supply above pressure.supplyLowBar',
    armedIn: FREEZING,
    debounceMs: 200,
    maxDebounceMs: 1_000,
    latch: true,
    priority: 'high',
    hint: 'No gas flow seen with the valves open: the return pressure transducer is stuck or the probe supply is blocked. Check both before treating.',
    check: (c): string | null => {
      const s = c.state;
      if (!isFreezeOpen(c) || s.freezeOpenedMs === null || c.readings.returnLine === null) return null;
      const openMs = c.nowMs - s.freezeOpenedMs;
      const supplyOk = c.readings.supply.barGauge >= c.settings.pressure.supplyLowBar;
      if (openMs < c.settings.pressure.flowExpectedWithinMs || !supplyOk || c.flowDetected) return null;
      return `return ${fmt(c.returnLine?.barAbs)} bar abs with the gas path open for ${(openMs / 1000).toFixed(1)} s: no flow seen`;
    },
  },
  CONSOLE_LOST: {
    hazard: 'The operator can no longer see the tip or press stop on the screen',
    condition: 'a console page is served and its side (the worker) has not acknowledged a snapshot for longer than console.lostMs, or has exited; the hardware stop and emergency stop still act',
    armedIn: START_AND_FREEZE,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'the silence is already judged over console.lostMs',
    latch: false,
    priority: 'medium',
    hint: 'Console screen lost: freezing stopped. Use the hardware stop or emergency stop if needed; the screen restarts by itself, then press start again.',
    check: (c): string | null => consoleSilence(c.nowMs, c.readings.console, c.settings.console.lostMs),
  },
  RECORDS_UNAVAILABLE: {
    hazard: 'An unrecorded treatment: the clinic cannot say what was frozen, how cold or for how long, nor see an alarm that fired',
    condition: 'treatment records are kept and the store cannot be written (locked, read-only, full, corrupt), or the records side has not acknowledged a batch for longer than records.lostMs, or has exited; blocks start until records work again',
    armedIn: START_AND_FREEZE,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'the failure is already judged by the records side, and the silence over records.lostMs',
    latch: false,
    priority: 'medium',
    hint: 'Treatment records cannot be written: freezing stopped and no new treatment can start until they can. Check the data disk; the console retries by itself.',
    check: (c): string | null => recordsFailure(c.nowMs, c.readings.records, c.settings.records.lostMs),
  },
  INEFFECTIVE_FREEZE: {
    hazard: 'An ineffective treatment: the lethal isotherm (-20 C) did not reach the nerve, so the pain returns (domain section 1, cause d)',
    condition:
      "the newest freeze's verdict (src/controller/ice-ball-estimate.ts) is not effective: the estimated r(-20 C) at the supply's closing short of the target radius (the nerve's own, else the protocol's, else iceBall.targetRadiusMm), or not held there for iceBall.holdS, or no estimate (the tip reading not trusted); advisory: never touches the valves or the phase, raised only after a freeze that ran to its end; clears at the next freeze's start, a new start, or an acknowledge while it is raised",
    armedIn: AFTER_A_WHOLE_FREEZE,
    debounceMs: 0,
    maxDebounceMs: 0,
    noDebounceReason: 'the verdict is judged once, when the freeze ends',
    latch: false,
    priority: 'low',
    advisory: true,
    hint: 'The last freeze may not have reached the target: the estimated -20 C radius fell short or was not held long enough. Consider another cycle or repositioning the probe. Acknowledge to dismiss.',
    memory: ineffectiveAckMemory,
    check: (c): string | null => {
      const v = lastIneffective(c.state);
      if (v === null || v === c.state.memory.INEFFECTIVE_FREEZE || v.cycle !== c.state.cycle) return null;
      const holdS = c.settings.iceBall.holdS;
      // No estimate: it stopped when the tip reading stopped being trusted, so how long r(-20 C)
      // had held is not known (the verdict counts 0 held), as the simulation summary says too.
      if (v.r20MmAtEnd === null) return `freeze ${v.cycle}: r(-20 C) unknown (the tip reading was not trusted) at its end, target ${v.targetMm} mm, hold unknown (${holdS} s needed)`;
      return `freeze ${v.cycle}: r(-20 C) ${v.r20MmAtEnd.toFixed(2)} mm at its end, target ${v.targetMm} mm, held ${(v.atTargetMs / 1000).toFixed(1)} s of ${holdS} s`;
    },
  },
} satisfies Record<string, InterlockRow>);

/**
 * No row's condition is present this tick: every row's check answers null. The quiet tick's
 * question (the step asks it before judging any row), asked with each row's check called from a
 * call site of its own, so that the compiler calls (or inlines) each directly: through one call
 * site in a loop over the rows every call was a generic call to one of twenty-odd functions.
 * Every row of the table, in table order (tests/controller-quiet-checks.test.ts forces each row's
 * check alone, through a copy of the table passed as `t`, and expects it seen); the checks are
 * pure, so the order changes no answer. About a third of the replayed step's time went away with
 * it (bench/sim.ts). The step passes no table: the frozen INTERLOCK_TABLE, whose checks are the
 * ones judgeRows calls (ROWS_FOR_STEP).
 */
export function noConditionPresent(c: TickContext, t: typeof INTERLOCK_TABLE = INTERLOCK_TABLE): boolean {
  return (
    t.TIP_BELOW_ABSOLUTE_LIMIT.check(c) === null &&
    t.TIP_BELOW_PHYSICAL_FLOOR.check(c) === null &&
    t.THERMOCOUPLE_FAULT.check(c) === null &&
    t.SENSOR_STALE.check(c) === null &&
    t.SENSOR_STUCK.check(c) === null &&
    t.SUPPLY_PRESSURE_LOW.check(c) === null &&
    t.SUPPLY_PRESSURE_HIGH.check(c) === null &&
    t.RETURN_LINE_BLOCKED.check(c) === null &&
    t.INSUFFICIENT_COOLING.check(c) === null &&
    t.VALVE_FAILURE.check(c) === null &&
    t.FREEZE_TIME_LIMIT.check(c) === null &&
    t.OPERATOR_STOP.check(c) === null &&
    t.EMERGENCY_STOP.check(c) === null &&
    t.FOOTSWITCH_RELEASED.check(c) === null &&
    t.PROBE_DISCONNECTED.check(c) === null &&
    t.LOOP_OVERRUN.check(c) === null &&
    t.HAL_FAULT.check(c) === null &&
    t.CALIBRATION_INVALID.check(c) === null &&
    t.PRESSURE_SENSOR_FAULT.check(c) === null &&
    t.NO_FLOW_SEEN.check(c) === null &&
    t.CONSOLE_LOST.check(c) === null &&
    t.RECORDS_UNAVAILABLE.check(c) === null &&
    t.INEFFECTIVE_FREEZE.check(c) === null
  );
}

/** CONSOLE_LOST's condition: watched and silent longer than `lostMs`, naming the silence. */
export function consoleSilence(nowMs: number, watch: ConsoleWatch, lostMs: number): string | null {
  if (!watch.watched) return null;
  if (watch.lastHeardMs === null) return 'console side never answered';
  const silentMs = nowMs - watch.lastHeardMs;
  return silentMs > lostMs ? `console side silent for ${silentMs.toFixed(0)} ms (limit ${lostMs} ms)` : null;
}

/** RECORDS_UNAVAILABLE's condition: kept, and failing or silent longer than `lostMs`, naming why. */
export function recordsFailure(nowMs: number, watch: RecordsWatch, lostMs: number): string | null {
  if (!watch.watched) return null;
  if (watch.failure !== null) return watch.failure;
  if (watch.lastHeardMs === null) return 'records side never answered';
  const silentMs = nowMs - watch.lastHeardMs;
  return silentMs > lostMs ? `records side silent for ${silentMs.toFixed(0)} ms (limit ${lostMs} ms)` : null;
}

/** How long a valve has been commanded closed at `nowMs`; -1 while it is commanded open. */
function closedForMs(nowMs: number, sinceMs: number | null): number {
  return sinceMs === null ? -1 : nowMs - sinceMs;
}

function fmt(value: number | undefined): string {
  return value === undefined ? 'unknown' : value.toFixed(2);
}

export type InterlockId = keyof typeof INTERLOCK_TABLE;

/** Every interlock id, in table order (the order rows are evaluated and trips reported in). */
export const INTERLOCK_IDS = Object.freeze(Object.keys(INTERLOCK_TABLE) as InterlockId[]);

/** The rows with their ids, in table order. */
export const INTERLOCKS: readonly Interlock[] = Object.freeze(INTERLOCK_IDS.map((id) => Object.freeze({ id, ...INTERLOCK_TABLE[id] })));

/** What the step reads of a row every tick, in one record shape for every row. The rows have
 * different shapes (optional fields), and reading `check` and `id` through twenty shapes cost
 * about a microsecond a tick (bench/sim.ts); through one shape it is a plain field read. */
export interface RowForStep {
  readonly id: InterlockId;
  readonly check: (ctx: TickContext) => string | null;
  readonly latch: boolean;
  readonly row: Interlock;
}

/** The rows as the step walks them, in table order. */
export const ROWS_FOR_STEP: readonly RowForStep[] = Object.freeze(
  INTERLOCKS.map((row): RowForStep => Object.freeze({ id: row.id, check: row.check, latch: row.latch, row })),
);

function rowOf(id: InterlockId): InterlockRow {
  return INTERLOCK_TABLE[id];
}

/** The rows by id, built once: the alarm code asks for a row's priority on every tick an alarm is
 * listed, and a search of the table with a closure per call was measurable there (bench/sim.ts). */
const INTERLOCK_BY_ID: Readonly<Record<string, Interlock | undefined>> = Object.freeze(Object.fromEntries(INTERLOCKS.map((row) => [row.id, row])));

export function interlockById(id: InterlockId): Interlock {
  const row = INTERLOCK_BY_ID[id];
  if (row === undefined) throw new Error(`no interlock ${id}`);
  return row;
}

type Table = typeof INTERLOCK_TABLE;
/** The ids of the rows that remember something between ticks. */
type StatefulId = { [K in InterlockId]: Table[K] extends { readonly memory: RowMemory<unknown> } ? K : never }[InterlockId];
type MemoryOf<K extends StatefulId> = Table[K]['memory'] extends RowMemory<infer S> ? S : never;

/** What the stateful rows remember, each under its row's id (ControllerState.memory). */
export type InterlockMemory = { readonly [K in StatefulId]: MemoryOf<K> };

/** Every stateful row's memory at power-up. */
export function initialInterlockMemory(): InterlockMemory {
  const t = INTERLOCK_TABLE;
  return memoryRecord(
    t.SENSOR_STUCK.memory.initial,
    t.RETURN_LINE_BLOCKED.memory.initial,
    t.INSUFFICIENT_COOLING.memory.initial,
    t.LOOP_OVERRUN.memory.initial,
    t.INEFFECTIVE_FREEZE.memory.initial,
  );
}

/** The memory record, built by one literal in table order: every record the controller builds has
 * one hidden class, so the checks' reads of it stay monomorphic. The literal's type names every
 * stateful row: a row added to the table with a memory is a type error here until it is added. */
function memoryRecord(
  sensorStuck: MemoryOf<'SENSOR_STUCK'>,
  returnLineBlocked: MemoryOf<'RETURN_LINE_BLOCKED'>,
  insufficientCooling: MemoryOf<'INSUFFICIENT_COOLING'>,
  loopOverrun: MemoryOf<'LOOP_OVERRUN'>,
  ineffectiveFreeze: MemoryOf<'INEFFECTIVE_FREEZE'>,
): InterlockMemory {
  return {
    SENSOR_STUCK: sensorStuck,
    RETURN_LINE_BLOCKED: returnLineBlocked,
    INSUFFICIENT_COOLING: insufficientCooling,
    LOOP_OVERRUN: loopOverrun,
    INEFFECTIVE_FREEZE: ineffectiveFreeze,
  };
}

/**
 * Every stateful row's memory after this tick (before the checks read it). The same object when
 * no row's memory changed: a quiet tick allocates nothing here. Each row's update is called from a
 * call site of its own, so that the compiler calls (or inlines) each directly: through one call
 * site in a loop over the rows every update was a generic call. Every stateful row, in table
 * order, in the updates and in the comparison (tests/controller-quiet-checks.test.ts forces each
 * row's update alone and expects the change kept; memoryRecord's type holds the record).
 */
export function updateInterlockMemory(input: MemoryInput): InterlockMemory {
  const t = INTERLOCK_TABLE;
  const m = input.prev.memory;
  const sensorStuck = t.SENSOR_STUCK.memory.update(input, m.SENSOR_STUCK);
  const returnLineBlocked = t.RETURN_LINE_BLOCKED.memory.update(input, m.RETURN_LINE_BLOCKED);
  const insufficientCooling = t.INSUFFICIENT_COOLING.memory.update(input, m.INSUFFICIENT_COOLING);
  const loopOverrun = t.LOOP_OVERRUN.memory.update(input, m.LOOP_OVERRUN);
  const ineffectiveFreeze = t.INEFFECTIVE_FREEZE.memory.update(input, m.INEFFECTIVE_FREEZE);
  if (
    sensorStuck === m.SENSOR_STUCK &&
    returnLineBlocked === m.RETURN_LINE_BLOCKED &&
    insufficientCooling === m.INSUFFICIENT_COOLING &&
    loopOverrun === m.LOOP_OVERRUN &&
    ineffectiveFreeze === m.INEFFECTIVE_FREEZE
  ) {
    return m;
  }
  // A recycling workspace's record (workspace.ts Recycling): the one the state passed in does not hold.
  const into = input.recycle?.memory.spare(m) ?? null;
  if (into === null) {
    const record = memoryRecord(sensorStuck, returnLineBlocked, insufficientCooling, loopOverrun, ineffectiveFreeze);
    input.recycle?.memory.keep(m, record);
    return record;
  }
  into.SENSOR_STUCK = sensorStuck;
  into.RETURN_LINE_BLOCKED = returnLineBlocked;
  into.INSUFFICIENT_COOLING = insufficientCooling;
  into.LOOP_OVERRUN = loopOverrun;
  into.INEFFECTIVE_FREEZE = ineffectiveFreeze;
  return into;
}

/** Any interlock tripped: both valves must then be commanded closed. It runs twice a step (valve
 * commands, end-of-step invariants) and its answer depends on the status record alone, which is
 * shared unchanged from tick to tick until a row changes: with `known` (the step's workspace's
 * set, workspace.ts) a record found with no acting trip is kept there, deep-frozen so that what was
 * found cannot change under the answer (a write throws), and most ticks ask one set lookup where
 * the walk with a keyed lookup per row cost 4-10 % of the step (bench/sim.ts). The walk is a for-in
 * over the statuses themselves: V8 reads each value through the object's own key cache. The
 * statuses hold exactly the table's ids (initialState builds them; the step only replaces values). */
export function anyTripped(state: ControllerState, known?: WeakSet<object>): boolean {
  const statuses: Readonly<Record<string, InterlockStatus>> = state.interlocks;
  if (known?.has(statuses) === true) return false;
  for (const id in statuses) if (statuses[id]?.tripped === true && ADVISORY[id] !== true) return true;
  known?.add(deepFreeze(statuses));
  return false;
}

/** The advisory rows by id (InterlockRow.advisory). */
const ADVISORY: Readonly<Record<string, boolean | undefined>> = Object.freeze(Object.fromEntries(INTERLOCKS.map((row) => [row.id, row.advisory === true])));

/** The row is an advisory: its trip changes no output and no phase. */
export function isAdvisory(id: InterlockId): boolean {
  return ADVISORY[id] === true;
}

/** Some of `tripped` is not an advisory: the trips end the treatment. A plain indexed loop: it runs
 * every tick, and a for-of over the (usually empty) list allocated an iterator on each call
 * (about 50 bytes a tick, bench/sim-alloc.ts). */
export function anyActingTrip(tripped: readonly InterlockId[]): boolean {
  for (let i = 0; i < tripped.length; i++) {
    const id = tripped[i];
    if (id !== undefined && ADVISORY[id] !== true) return true;
  }
  return false;
}

/**
 * A freeze may not begin: some row armed in Freezing sees its condition now, even before its
 * debounce ends (a freeze never starts into a condition that is about to trip).
 */
export function conditionBlocksFreeze(state: ControllerState): boolean {
  return INTERLOCKS.some((row) => row.advisory !== true && row.armedIn.includes('Freezing') && state.interlocks[row.id].conditionNow);
}

/** The first of `tripped` after which the tip reading is not trusted; undefined if none. */
export function tipDistrustingTrip(tripped: readonly InterlockId[]): InterlockId | undefined {
  return tripped.find((id) => rowOf(id).distrustsTip === true);
}

/** How long the freeze's verify-closed tail lasts: valves.closeVerifyMs, plus the debounce of the
 * rows that judge the closed valves (so they can see flow and debounce it), plus two periods. */
export function closeVerifyWindowMs(settings: Settings): number {
  const debounceMs = Math.max(0, ...INTERLOCKS.filter((r) => r.judgesValveClosing === true).map((r) => debounceFor(r, settings.debounceMs)));
  return settings.valves.closeVerifyMs + debounceMs + 2 * periodMs(settings);
}

/** The row's debounce under `overrides`. An edge row's is 0 whatever the settings say (the schema
 * refuses such settings; this is the second line). */
export function debounceFor(row: Interlock, overrides: Readonly<Record<string, number>>): number {
  if (row.maxDebounceMs === 0) return 0;
  const ms = overrides[row.id] ?? row.debounceMs;
  // The message is built only on failure (this runs for every row judged on a tick).
  if (!(ms >= 0 && ms <= row.maxDebounceMs)) assert(false, `${row.id}: debounce ${ms} ms outside 0..${row.maxDebounceMs} ms`);
  return ms;
}

/** k of the k-of-2k judgement: a condition trips once it has been seen in k samples among the
 * last 2k sample periods, where k covers the debounce (one good sample no longer resets it). */
export function debounceSamples(debounceMs: number, periodMs: number): number {
  return Math.floor(debounceMs / periodMs) + 1;
}
