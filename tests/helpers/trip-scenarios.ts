// One scenario per interlock id that drives the pure control step until that interlock trips.
// The record is checked by the compiler to name every InterlockId (and no other key), so a new
// row cannot be added to the table without a scenario that trips it; tests/interlock-table.test.ts
// runs every scenario. The interlock-*.test.ts files hold the finer cases (timing, thresholds,
// one step short of the debounce); these are the plainest run that trips each row.
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../../src/controller/settings.js';
import type { Settings } from '../../src/controller/settings.js';
import { uncalibrated } from '../../src/controller/probe-calibration.js';
import type { ControllerState } from '../../src/controller/state.js';
import type { InterlockId } from '../../src/controller/types.js';
import type { Drive, ReadingOverrides } from './readings.js';
import { NormalPatient, RETURN_FLOWING_BAR, SHORT_PROTOCOL, drive, driveSteps, gasPathOpen, inPhase, normalUntil } from './readings.js';

export interface TripScenario {
  /** What the run does, for the failure message. */
  readonly what: string;
  /**
   * Interlocks the same fault necessarily trips as well (for a reading below -100 C, the physical
   * floor also holds). The run must trip exactly these and the scenario's own id, nothing else.
   */
  readonly alongside: readonly InterlockId[];
  /**
   * True when a valve was open in the step before the trip, so the trip is what closed it; false
   * when the fault blocks a start and no valve may open at all.
   */
  readonly closesAnOpenValve: boolean;
  /** The whole run from power-on, lead-in included. */
  readonly run: () => Drive;
}

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const DEADMAN = parseSettings({ protocol: SHORT_PROTOCOL, footswitch: { deadman: true } });
const FREEZE_MS = SHORT_PROTOCOL.freezeS * 1000;
const GRACE_MS = DEFAULT_SETTINGS.freezeLimit.perCycleGraceMs;
/** Long enough for every debounced row (the stuck-sensor window is the longest). */
const FAULT_RUN_MS = 3 * DEFAULT_SETTINGS.tip.stuckWindowMs;

/** `later` run on from the end of `lead`, as one run. */
function joined(lead: Drive, later: Drive): Drive {
  return { steps: [...lead.steps, ...later.steps], events: [...lead.events, ...later.events], state: later.state, lastMs: later.lastMs };
}

/** A normal treatment 10 s into its first freeze: gas flowing, tip near -65 C. */
function midFreeze(settings: Settings, patient: NormalPatient): { lead: Drive; t0Ms: number } {
  const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
  if (!gasPathOpen(at.state.outputs)) throw new Error('the normal run is not flowing gas 10 s into its freeze');
  return { lead: at, t0Ms: at.lastMs + 20 };
}

/** From mid-freeze, apply `o(nowMs, t0Ms, state)` on every step for `durationMs`. */
function fromMidFreeze(
  o: (nowMs: number, t0Ms: number, state: ControllerState) => ReadingOverrides,
  { settings = SETTINGS, patient = new NormalPatient(), durationMs = FAULT_RUN_MS } = {},
): Drive {
  const { lead, t0Ms } = midFreeze(settings, patient);
  return joined(lead, drive(patient.script((nowMs, state) => o(nowMs, t0Ms, state)), { settings, state: lead.state, durationMs }));
}

/** The normal run up to the step where the supply valve closes at the end of the first freeze. */
function atFreezeEnd(): { patient: NormalPatient; lead: Drive } {
  const patient = new NormalPatient();
  const { at } = normalUntil(SETTINGS, (r) => r.state.sub === 'freeze-verify-closed', patient);
  return { patient, lead: at };
}

export const TRIP_SCENARIOS = {
  TIP_BELOW_PHYSICAL_FLOOR: {
    what: 'the tip reads -90 C mid-freeze (below Tsub at the return pressure, above -100 C)',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ tipC: -90 })),
  },
  TIP_BELOW_ABSOLUTE_LIMIT: {
    what: 'the tip reads -100.5 C mid-freeze',
    alongside: ['TIP_BELOW_PHYSICAL_FLOOR'],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ tipC: -100.5 })),
  },
  THERMOCOUPLE_FAULT: {
    what: "the front-end reports the fault bit 'open' mid-freeze",
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ fault: 'open' })),
  },
  SENSOR_STALE: {
    what: 'the tip sample stops updating mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze((_now, t0Ms) => ({ tipAtMs: t0Ms - 20 })),
  },
  SENSOR_STUCK: {
    what: 'the tip reads a constant -62 C mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ tipC: -62 })),
  },
  SUPPLY_PRESSURE_LOW: {
    what: 'the supply falls to 35 bar mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ supplyBarGauge: 35 })),
  },
  SUPPLY_PRESSURE_HIGH: {
    what: 'the supply rises to 80 bar mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ supplyBarGauge: 80 })),
  },
  RETURN_LINE_BLOCKED: {
    what: 'the return line rises to 3.5 bar mid-freeze, and vents once the valves are closed',
    alongside: [],
    closesAnOpenValve: true,
    // Held after the valves close, the pressure would read as flow past a closed valve (VALVE_FAILURE).
    run: () => fromMidFreeze((_now, _t0Ms, state) => (gasPathOpen(state.outputs) ? { returnBarAbs: 3.5 } : {})),
  },
  INSUFFICIENT_COOLING: {
    what: 'the gas only cools the tip toward -45 C',
    alongside: [],
    closesAnOpenValve: true,
    run: () => drive(new NormalPatient({ coldTipC: -45 }).script(), { settings: SETTINGS, durationMs: 40_000 }),
  },
  VALVE_FAILURE: {
    what: 'the return line still shows flow after the supply valve closed at the end of the freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => {
      const { patient, lead } = atFreezeEnd();
      const stuck = drive(patient.script(() => ({ returnBarAbs: RETURN_FLOWING_BAR, tipC: -65 })), { settings: SETTINGS, state: lead.state, durationMs: FAULT_RUN_MS });
      return joined(lead, stuck);
    },
  },
  FREEZE_TIME_LIMIT: {
    what: 'a freeze runs 10 ms short of freezeS + grace and the next step takes it past',
    alongside: [],
    closesAnOpenValve: true,
    run: () => {
      const patient = new NormalPatient();
      const { lead } = midFreeze(SETTINGS, patient);
      // As after late loops: only the cycle's freeze time differs from the normal run's state.
      const crafted: ControllerState = { ...lead.state, cycleFreezeMs: FREEZE_MS + GRACE_MS - 10 };
      return joined(lead, driveSteps(patient.script(), 1, { settings: SETTINGS, state: crafted }));
    },
  },
  OPERATOR_STOP: {
    what: 'the operator presses stop mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze((now, t0Ms) => ({ operator: { stop: now === t0Ms } })),
  },
  EMERGENCY_STOP: {
    what: 'the emergency stop is pressed in mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ operator: { estop: true } })),
  },
  FOOTSWITCH_RELEASED: {
    what: 'the dead-man footswitch is released mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ operator: { footswitch: false } }), { settings: DEADMAN, patient: new NormalPatient({ footswitch: true }) }),
  },
  PROBE_DISCONNECTED: {
    what: 'the probe presence input goes false mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ probePresent: false })),
  },
  LOOP_OVERRUN: {
    what: 'the loop resumes 250 ms after its last step mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => {
      const patient = new NormalPatient();
      const { lead } = midFreeze(SETTINGS, patient);
      return joined(lead, driveSteps(patient.script(), 1, { settings: SETTINGS, state: lead.state, startMs: lead.lastMs + 250 }));
    },
  },
  HAL_FAULT: {
    what: 'a back-end reports its device lost mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ halFault: 'firmata: serial port /dev/ttyACM0 closed' })),
  },
  CALIBRATION_INVALID: {
    what: 'start is pressed with an expired probe calibration',
    alongside: [],
    closesAnOpenValve: false,
    run: () =>
      drive(new NormalPatient().script(() => ({ calibration: uncalibrated('T', "probe 'P1': calibration expired") })), {
        settings: SETTINGS,
        durationMs: 5_000,
      }),
  },
  PRESSURE_SENSOR_FAULT: {
    what: 'a fitted return transducer reads 0.2 bar abs (below half an atmosphere) mid-freeze',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze(() => ({ returnBarAbs: 0.2 })),
  },
  NO_FLOW_SEEN: {
    what: 'the return transducer stays at 1 atm with the gas path open',
    alongside: [],
    closesAnOpenValve: true,
    run: () => drive(new NormalPatient().script(() => ({ returnBarAbs: 1.013 })), { settings: SETTINGS, durationMs: 10_000 }),
  },
  CONSOLE_LOST: {
    what: 'the console side stops answering mid-freeze (last heard at the fault start)',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze((_now, t0Ms) => ({ console: { watched: true, lastHeardMs: t0Ms } })),
  },
  RECORDS_UNAVAILABLE: {
    what: 'the records store reports a write failure mid-freeze (disk full)',
    alongside: [],
    closesAnOpenValve: true,
    run: () => fromMidFreeze((now, t0Ms) => ({ records: { watched: true, failure: now >= t0Ms ? 'records store full: database or disk is full' : null, lastHeardMs: now } })),
  },
  INEFFECTIVE_FREEZE: {
    what: 'a 30 s freeze ends (r(-20 C) cannot have been held for iceBall.holdS, 60 s): an advisory, run into the thaw',
    alongside: [],
    closesAnOpenValve: false,
    run: () => drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Thawing', 1_000) }),
  },
} satisfies Record<InterlockId, TripScenario>;

