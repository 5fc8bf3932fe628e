// Controller settings: every threshold, debounce and protocol value with its documented default
// and validated bounds. Parsed once at the boundary (a settings file, CLI flags) into a typed,
// frozen object; inside the controller the types are trusted.
import { z } from 'zod';
import { PROBE_OD_MM_DEFAULT, PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../../kernel/probe.js';
import { describeIssues } from '../../kernel/config-error.js';
import { deepFreeze } from './deep-freeze.js';
import { INTERLOCKS, INTERLOCK_IDS } from './interlocks.js';
import { isCatalogNerve } from './nerve-catalog.js';

/** Protocol bounds (shared/domain.md section 4: freeze 10-300 s per cycle, 1-5 cycles). */
export const FREEZE_S_MIN = 10;
export const FREEZE_S_MAX = 300;
export const THAW_S_MIN = 10;
export const THAW_S_MAX = 300;
export const CYCLES_MIN = 1;
export const CYCLES_MAX = 5;

/** Target r(-20 C), mm from the probe axis. Default 2 mm (issue 11; a 1.27 mm probe at -66 C
 * reaches it in about 30 s, docs/tissue-model.md). At least 1 mm: a smaller target lies inside
 * the 0.64 mm probe wall plus a few tenths, and a verdict against it would say nothing. At most
 * REACHABLE_R20_MM_MAX: a target no freeze can reach would make every freeze INEFFECTIVE_FREEZE
 * (review of issue 11, L3), so it is refused as a typo. */
export const TARGET_RADIUS_MM_MIN = 1;
/**
 * The farthest r(-20 C) one freeze can reach, mm: the tissue model (kernel/bioheat) with nominal
 * tissue (the estimate's own, domain section 3), the largest probe the settings accept
 * (PROBE_OD_MM_MAX, 2.0 mm), the wall held at the coldest CO2 makes (-78.5 C, the sublimation
 * point at 1 atm) for the longest freeze the settings accept (FREEZE_S_MAX, 300 s) from body
 * temperature: 5.69 mm, rounded down to 0.1 mm (tests/settings-target-radius.test.ts recomputes
 * it). A real tip runs warmer (about -66 C in the sim), so real freezes reach less.
 */
export const REACHABLE_R20_MM_MAX = 5.6;
export const TARGET_RADIUS_MM_MAX = REACHABLE_R20_MM_MAX;

/** Every target radius is set in steps of this, mm: the console shows radii to one decimal, and a
 * target of 2.05 mm would read as 2.0 on the confirmation and the ice-ball block while an ice ball
 * shown at 2.0 mm was judged short of it (review of stop 24). */
export const TARGET_RADIUS_STEP_MM = 0.1;

/** A target r(-20 C) radius, mm: within the bounds above, in TARGET_RADIUS_STEP_MM steps. */
const targetRadius = () =>
  z
    .number()
    .min(TARGET_RADIUS_MM_MIN)
    .max(TARGET_RADIUS_MM_MAX)
    .multipleOf(TARGET_RADIUS_STEP_MM, { error: (issue) => `a target radius is set in ${TARGET_RADIUS_STEP_MM} mm steps (the console shows one decimal); got ${String(issue.input)} mm` });
export const TARGET_RADIUS_MM_DEFAULT = 2;

export const ProtocolSchema = z
  .object({
    cycles: z.number().int().min(CYCLES_MIN).max(CYCLES_MAX),
    freezeS: z.number().min(FREEZE_S_MIN).max(FREEZE_S_MAX),
    thawS: z.number().min(THAW_S_MIN).max(THAW_S_MAX),
    /** This protocol's target r(-20 C), mm (issue 11: "per protocol and per target nerve"), with
     * the bounds of iceBall.targetRadiusMm; absent: iceBall.targetRadiusMm. A target nerve's own
     * (iceBall.targetRadiusByNerveMm) comes first: see targetRadiusMm below. No preset carries one
     * (domain section 4 gives no radius per protocol). */
    targetRadiusMm: targetRadius().optional(),
  })
  .strict();
export type Protocol = z.infer<typeof ProtocolSchema>;

/** Named protocols (shared/domain.md section 4). */
export const PRESETS = {
  /** Three 2-minute freezes with 45 s thaws: the console default. */
  standard: { cycles: 3, freezeS: 120, thawS: 45 },
  /** Percutaneous technique: freeze 90 s, thaw 30 s, refreeze 90 s. */
  percutaneous: { cycles: 2, freezeS: 90, thawS: 30 },
  /** Cervical units: 3 min freeze / 3 min thaw / 3 min freeze. */
  cervical: { cycles: 2, freezeS: 180, thawS: 180 },
} as const satisfies Record<string, Protocol>;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

const n = (min: number, max: number) => z.number().min(min).max(max);

/** The external watchdog cuts valve power 250 ms after the heartbeat stops (docs/hardware.md):
 * the software's own stall and staleness limits must act no later than it. */
export const HARDWARE_WATCHDOG_MS = 250;
/** Normal flow runs 1.7-2.0 bar abs in the return line (domain section 2): the flow threshold
 * must sit below that, or the valve leak and stuck-valve checks never see flow. */
export const RETURN_FLOW_BAR_MAX = 1.5;
/** How long a stuck-open valve takes to show flow on the return line during a single-valve
 * self-test window, ms, for the window's lower bound (valves.selfTestValveMs at least this plus
 * VALVE_FAILURE's debounce and one period). The sim plant's line passes RETURN_FLOW_BAR_MAX about
 * 320 ms after the window opens at a 57 bar supply (valve delay, the line's 0.3 s time constant);
 * 380 ms keeps the default window (500 ms at 50 Hz with the 100 ms debounce). At a lower supply
 * the line is slower, and this is only the floor of selfTestFlowShowsMs. A real line may be slower still, up
 * to pressure.flowExpectedWithinMs: docs/safety.md, limits. */
export const SELF_TEST_FLOW_SHOWS_MS = 380;
/** The sim line (hil/plant/params.ts defaults, copied here because the controller may not import
 * hil/; tests/settings-self-test-window.test.ts checks the copy): the return rises above the atmosphere by
 * kc / (1 + kc) bar per bar of supply gauge (kc = flowGPerSPerBar 0.0054 x returnRiseBarPerGPerS
 * 2.7) and follows with returnTimeConstantMs 300 after the 30 ms valve delay. The rise is
 * proportional to the supply: at 57 bar it passes 1.5 bar abs about 320 ms after the window
 * opens, at a 12 C cylinder's 48 bar (above supplyLowBar 40) about 470 ms, which the 380 ms
 * figure alone missed (docs/safety.md). */
export const SELF_TEST_LINE_MODEL = Object.freeze({ flowGPerSPerBar: 0.0054, returnRiseBarPerGPerS: 2.7, returnTimeConstantMs: 300, valveDelayMs: 30 });
const SIM_LINE_GAIN = SELF_TEST_LINE_MODEL.flowGPerSPerBar * SELF_TEST_LINE_MODEL.returnRiseBarPerGPerS;
const SIM_RETURN_RISE_PER_SUPPLY_BAR = SIM_LINE_GAIN / (1 + SIM_LINE_GAIN);
const SIM_RETURN_TIME_CONSTANT_MS = SELF_TEST_LINE_MODEL.returnTimeConstantMs;
const SIM_VALVE_DELAY_MS = SELF_TEST_LINE_MODEL.valveDelayMs;
/** The same 60 ms to spare as SELF_TEST_FLOW_SHOWS_MS over its 320 ms. */
const SIM_FLOW_MARGIN_MS = 60;
const SIM_ATMOSPHERE_BAR_ABS = 1.01325;

/** How long a stuck-open valve takes to show flow above `returnFlowBar` (bar abs) on the sim line
 * with the supply at `supplyLowBar` (bar gauge), the lowest SUPPLY_PRESSURE_LOW lets a start
 * through, never less than SELF_TEST_FLOW_SHOWS_MS; Infinity when the line never gets there. */
export function selfTestFlowShowsMs(supplyLowBar: number, returnFlowBar: number): number {
  const riseBar = SIM_RETURN_RISE_PER_SUPPLY_BAR * supplyLowBar;
  const neededBar = returnFlowBar - SIM_ATMOSPHERE_BAR_ABS;
  if (riseBar <= neededBar) return Infinity;
  const lineMs = SIM_VALVE_DELAY_MS + SIM_RETURN_TIME_CONSTANT_MS * Math.log(riseBar / (riseBar - neededBar));
  return Math.max(SELF_TEST_FLOW_SHOWS_MS, lineMs + SIM_FLOW_MARGIN_MS);
}
/** Lowest atmospheric pressure of an inhabited site (about 4,000 m, 0.62 bar): the floor never
 * assumes less, and a setting below it is a typo. */
export const AMBIENT_BAR_ABS_MIN = 0.6;
/** Highest plausible site pressure (sea-level high, 1.06 bar): a higher value would lift the
 * physical floor and trip healthy readings. */
export const AMBIENT_BAR_ABS_MAX = 1.1;
/** Audio pause (IEC 60601-1-8 audio paused): the responsible organisation sets how long it lasts.
 * At least 10 s: shorter, the operator cannot act on the alarm before it sounds again and learns
 * to press it again and again. At most 300 s: a pause never turns into the alarm being off
 * (IEC 60601-1-8 wants its maximum configured and documented; a ventilator pauses 120 s, the
 * default, domain section 10). A new high-priority condition ends any pause. */
export const AUDIO_PAUSE_S_MIN = 10;
export const AUDIO_PAUSE_S_MAX = 300;
export const AUDIO_PAUSE_S_DEFAULT = 120;

/** CONSOLE_LOST's silence bounds. At least 500 ms: five snapshot periods (SNAPSHOT_PERIOD_MS,
 * 100 ms), so one slow collection in the console worker on a loaded 2-core machine is not taken
 * for a lost console. At most 10 s: longer, a freeze would run on with the operator unable to see
 * the tip or press stop on the screen for a sixth of a standard 2-minute freeze. */
export const CONSOLE_LOST_MIN_MS = 500;
export const CONSOLE_LOST_MAX_MS = 10_000;

/** RECORDS_UNAVAILABLE's silence bounds. The records side acknowledges each batch (every
 * RECORDS_FLUSH_MS, 250 ms, src/runtime/records-link.ts) after its commit, which waits for the
 * disk (synchronous=FULL): at least 1 s, so one slow fsync on a loaded machine is not taken for a
 * lost store; at most 10 s, which the loop's sample queue holds without dropping a sample. */
export const RECORDS_LOST_MIN_MS = 1_000;
export const RECORDS_LOST_MAX_MS = 10_000;

/** The probe outer diameter's bounds and default live with the probe's other facts (kernel/probe.ts),
 * where the calibration record validates a probe's own diameter against the same bounds. */
export { PROBE_OD_MM_DEFAULT, PROBE_OD_MM_MAX, PROBE_OD_MM_MIN };
/** How long r(-20 C) must have stayed at or beyond the target when the freeze ends. Default 60 s:
 * -20 C held for at least a minute is lethal to tissue (Cooper; domain section 10). At least
 * 30 s: shorter, the verdict would call a freeze effective on an exposure the evidence does not
 * support (a setting never weakens a safety function into nothing). At most 240 s: longer than
 * any freeze that reaches 2 mm in under a minute of a 300 s freeze could hold. */
export const HOLD_S_MIN = 30;
export const HOLD_S_MAX = 240;
export const HOLD_S_DEFAULT = 60;
/** A nerve id of the nerve catalog (src/controller/nerve-catalog.ts). A pattern alone let a
 * settings file name "constructor", which the per-nerve lookup then read from Object's prototype
 * (review of issue 11): the loop threw at the first verdict. */
const CatalogNerveId = z.string().refine(isCatalogNerve, 'not a nerve of the catalog (src/controller/nerve-catalog.ts)');

/** No row allows a longer debounce than this (each row's own maximum is checked below). */
const MAX_ROW_DEBOUNCE_MS = Math.max(...INTERLOCKS.map((r) => r.maxDebounceMs));

export const SettingsSchema = z
  .object({
    protocol: ProtocolSchema.default(PRESETS.standard),
    loop: z
      .object({
        /** Control rate; the scheduler accepts 10-200 Hz. */
        rateHz: n(10, 200).default(50),
        /** A step more than this late (after the previous one plus a period) counts as late. */
        lateToleranceMs: n(1, 50).default(5),
        /** LOOP_OVERRUN trips when this many late steps fall in the window... */
        maxLateSteps: z.number().int().min(1).max(1000).default(10),
        lateWindowMs: n(1_000, 60_000).default(10_000),
        /** ...or on a single gap this long: below the 250 ms hardware watchdog, so the software
         * sees a stall as soon as the loop resumes. */
        maxGapMs: n(40, HARDWARE_WATCHDOG_MS - 50).default(200),
      })
      .strict()
      .prefault({}),
    tip: z
      .object({
        /** Plausible reading range; outside it the thermocouple is faulty (Type T spans -270..400 C). */
        minValidC: n(-270, -100).default(-200),
        maxValidC: n(50, 400).default(150),
        /** Cold junction plausible range; outside it cold-junction compensation is wrong. */
        coldJunctionMinC: n(-40, 20).default(-10),
        coldJunctionMaxC: n(30, 125).default(70),
        /** A sample older than this is stale (5 ticks at 50 Hz); at most the hardware watchdog's
         * time, so the software never acts on data older than the hardware would tolerate. */
        staleMs: n(20, HARDWARE_WATCHDOG_MS).default(100),
        /** Extra margin below the sublimation floor, beyond the thermocouple type's tolerance
         * (src/controller/probe-calibration.ts), before a reading is called impossible. At most
         * 5 C: with more, nitrous oxide (-88.5 C at 1 atm) would pass as CO2 (-78.5 C). */
        floorMarginC: n(0, 5).default(2),
        /** Neurotmesis below -100 C: never, whatever else is true (domain section 1). A setting may
         * move the limit warmer (down to the sublimation point, -78.5 C), never colder than -100 C:
         * a limit of -150 C let a reading of -120 C pass this row, which names the -100 C hazard. */
        absoluteLimitC: n(-100, -78.5).default(-100),
        /** SENSOR_STUCK: less than this span of readings over the window with the valve open. At
         * least 0.005 C (below one 0.0078 C step of a MAX31856): 0 would never call a constant
         * reading stuck, and the fuzzer found it declaring SAFE TO WITHDRAW from a frozen tip. */
        stuckMinSpanC: n(0.005, 1).default(0.02),
        stuckWindowMs: n(500, 30_000).default(3_000),
      })
      .strict()
      .prefault({}),
    pressure: z
      .object({
        /** Operating window (domain section 2): below 40 bar too little cooling, above 70 over-pressure. */
        supplyLowBar: n(10, 60).default(40),
        supplyHighBar: n(50, 100).default(70),
        /** Return line above this (bar absolute) is blocked: normal flow runs 1.7-2.0 bar abs. */
        returnBlockedBar: n(1.5, 10).default(3),
        /** Return line above this means gas is flowing (used to prove the valves shut). */
        returnFlowBar: n(1.05, RETURN_FLOW_BAR_MAX).default(1.3),
        /** With the gas path open this long, the return line must show flow (above returnFlowBar):
         * a return transducer stuck at 1 atm would otherwise blind the valve and blockage checks
         * for the whole freeze. The sim plant shows flow ~0.3 s after opening (valve delay plus
         * the return line's 0.3 s time constant); 2 s leaves room for a real line. */
        flowExpectedWithinMs: n(500, 5_000).default(2_000),
        /** The site's atmospheric pressure, bar absolute. The return line vents to the room, so
         * the physical floor never assumes a return pressure below this. */
        ambientBarAbs: n(AMBIENT_BAR_ABS_MIN, AMBIENT_BAR_ABS_MAX).default(1.01325),
        /** A blockage also shows as return pressure rising while the tip warms, over this window. */
        trendWindowMs: n(200, 10_000).default(1_000),
        returnRiseBar: n(0.05, 5).default(0.3),
        tipWarmingC: n(0.5, 20).default(2),
      })
      .strict()
      .prefault({}),
    cooling: z
      .object({
        /** The tip must reach this within `withinS` of the valve opening (domain: -60..-80 C at the tip). */
        targetC: n(-78, -20).default(-50),
        withinS: n(5, 120).default(20),
        /** Once reached, warming back above target + hysteresis during the freeze trips. */
        hysteresisC: n(0, 20).default(3),
      })
      .strict()
      .prefault({}),
    thaw: z
      .object({
        /** A thaw ends when its time has passed and the true tip is above this: the calibrated
         * reading must exceed it by the reading's uncertainty (CALIBRATED_TIP_UNCERTAINTY_C, 1.18 C
         * for Type T: src/controller/probe-calibration.ts thawEndReadingC), which no setting
         * lowers. At least 0 C (the ice has melted: no freeze starts on a frozen tip) and at most
         * 20 C, well below body temperature, so a tip in tissue always gets there (the fuzzer
         * found 37 C waiting for ever). */
        endTipC: n(0, 20).default(0),
        /** After the treatment, safe to withdraw once the tip reads above 0 C plus this margin;
         * the margin is never taken below the reading's calibration uncertainty (1.18 C for Type
         * T, src/controller/probe-calibration.ts withdrawReadingC), so 0 cannot disable it. */
        withdrawMarginC: n(0, 20).default(2),
        /** ...and has stayed above it this long, counted from the last gas flow. The reading lags
         * the true tip (a sheathed junction's time constant is up to ~1 s; the sim's is 0.25 s):
         * 5 s is at least 5 time constants, so a reading still catching up with a tip that
         * cooled a moment ago cannot declare it; a reading lagging longer is still falling
         * after the gas stops, and each new low restarts the dwell and, after it, holds SAFE TO
         * WITHDRAW back for 30 s (step.ts FALLING_READING_C, withdrawal.ts FALLING_QUIET_MS). */
        withdrawDwellMs: n(2_000, 60_000).default(5_000),
        /** When the tip reading is not trusted (a tip-validity trip in the treatment), the console
         * says the tip is unknown and counts down a wait from the last gas flow instead of
         * declaring SAFE TO WITHDRAW: the passive thaw bound for the site's freeze total
         * (src/controller/withdrawal.ts PASSIVE_THAW_BOUND_S, from the tissue model), and at
         * least this. A floor only: no value shortens the bound. 180 s covers a clinical 3 min
         * passive thaw (domain section 4) when the site has had almost no gas. */
        unknownTipWaitS: n(120, 600).default(180),
      })
      .strict()
      .prefault({}),
    valves: z
      .object({
        /** After the supply valve closes, the return line must show no flow within this time. */
        closeVerifyMs: n(200, 5_000).default(1_500),
        /** Self-test: each valve is opened alone for this long; no flow may appear. */
        selfTestValveMs: n(100, 5_000).default(500),
        /** Self-test: static checks (pressures, sensor, probe) must hold this long first. */
        selfTestSettleMs: n(100, 5_000).default(500),
      })
      .strict()
      .prefault({}),
    freezeLimit: z
      .object({
        /** Backstop over the protocol: a freeze longer than its setting plus this trips. */
        perCycleGraceMs: n(0, 5_000).default(500),
        /** Hard cap on total freeze time per treatment site (domain section 4). */
        cumulativeMaxS: n(FREEZE_S_MIN, CYCLES_MAX * FREEZE_S_MAX).default(900),
      })
      .strict()
      .prefault({}),
    footswitch: z
      .object({
        /** Dead-man: the freeze runs only while the footswitch is held down. */
        deadman: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** The alarm system (src/controller/alarms.ts, docs/safety.md "Alarm system"), set by the
     * responsible organisation in the settings file, never by the operator. Nothing here can
     * silence or hide a condition that is present: only how long a signal outlives its condition
     * and how long an audio pause lasts, both bounded. */
    alarms: z
      .object({
        /** Latching visual signal per priority: the lamp (and the page) keeps showing a condition
         * that has ended until an acknowledge, so a condition that came and went unseen is still
         * seen. Turning it off shortens nothing while the condition lasts. Low is off by default:
         * a stop or a footswitch release is the operator's own act. */
        latching: z
          .object({ high: z.boolean().default(true), medium: z.boolean().default(true), low: z.boolean().default(false) })
          .strict()
          .prefault({}),
        /** How long an audio pause silences every audible signal, seconds. */
        audioPauseS: n(AUDIO_PAUSE_S_MIN, AUDIO_PAUSE_S_MAX).default(AUDIO_PAUSE_S_DEFAULT),
      })
      .strict()
      .prefault({}),
    console: z
      .object({
        /** CONSOLE_LOST: the console side (the page's server, in its worker) counts as lost when it
         * has not acknowledged a snapshot for longer than this. 2 s: twenty snapshot periods, well
         * inside the time an operator takes to notice a frozen screen. */
        lostMs: n(CONSOLE_LOST_MIN_MS, CONSOLE_LOST_MAX_MS).default(2_000),
      })
      .strict()
      .prefault({}),
    records: z
      .object({
        /** RECORDS_UNAVAILABLE: the records side counts as lost when it has not acknowledged a
         * batch for longer than this. 3 s: twelve flushes. */
        lostMs: n(RECORDS_LOST_MIN_MS, RECORDS_LOST_MAX_MS).default(3_000),
      })
      .strict()
      .prefault({}),
    /** The live ice-ball estimate and the per-freeze efficacy verdict (INEFFECTIVE_FREEZE). */
    iceBall: z
      .object({
        /** The probe's outer diameter, mm: the model's wall radius is half of it. */
        probeOdMm: n(PROBE_OD_MM_MIN, PROBE_OD_MM_MAX).default(PROBE_OD_MM_DEFAULT),
        /** The target r(-20 C), mm, when neither the nerve nor the protocol gives one. */
        targetRadiusMm: targetRadius().default(TARGET_RADIUS_MM_DEFAULT),
        /** Per target nerve (by catalog id), its own target r(-20 C), mm. */
        targetRadiusByNerveMm: z
          .record(CatalogNerveId, targetRadius())
          .default({}),
        /** The nerve being treated (the runtime sets it with withNerve); null when none is chosen. */
        nerveId: CatalogNerveId.nullable().default(null),
        /** r(-20 C) must have stayed at or beyond the target this long when the freeze ends, s. */
        holdS: n(HOLD_S_MIN, HOLD_S_MAX).default(HOLD_S_DEFAULT),
      })
      .strict()
      .prefault({}),
    /** Debounce per interlock, ms; the defaults and each row's maximum live in the interlock
     * table. Edge rows (stop, e-stop, loop timing...) refuse any debounce. */
    debounceMs: z.record(z.string(), z.number().min(0).max(MAX_ROW_DEBOUNCE_MS)).default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.pressure.supplyLowBar >= s.pressure.supplyHighBar) {
      ctx.addIssue({
        code: 'custom',
        path: ['pressure', 'supplyLowBar'],
        message: `supplyLowBar ${s.pressure.supplyLowBar} must be below supplyHighBar ${s.pressure.supplyHighBar}`,
      });
    }
    if (s.pressure.returnFlowBar >= s.pressure.returnBlockedBar) {
      ctx.addIssue({
        code: 'custom',
        path: ['pressure', 'returnFlowBar'],
        message: `returnFlowBar ${s.pressure.returnFlowBar} must be below returnBlockedBar ${s.pressure.returnBlockedBar}`,
      });
    }
    for (const [key, valueMs] of Object.entries(s.debounceMs)) {
      const row = INTERLOCKS.find((r) => r.id === key);
      if (row === undefined) {
        ctx.addIssue({ code: 'custom', path: ['debounceMs', key], message: `unknown interlock '${key}' (known: ${INTERLOCK_IDS.join(', ')})` });
      } else if (row.maxDebounceMs === 0 && valueMs !== 0) {
        ctx.addIssue({ code: 'custom', path: ['debounceMs', key], message: `${key} cannot be debounced: ${row.noDebounceReason ?? 'it acts at once'}` });
      } else if (valueMs > row.maxDebounceMs) {
        ctx.addIssue({ code: 'custom', path: ['debounceMs', key], message: `${key} debounce ${valueMs} ms is above its maximum ${row.maxDebounceMs} ms` });
      }
    }
    // LOOP_OVERRUN counts late steps within lateWindowMs; a late step comes at least a period
    // plus lateToleranceMs after the one before, so a count the window cannot hold never trips.
    const lateStepsInWindow = Math.floor(s.loop.lateWindowMs / (1000 / s.loop.rateHz + s.loop.lateToleranceMs));
    if (s.loop.maxLateSteps > lateStepsInWindow) {
      ctx.addIssue({
        code: 'custom',
        path: ['loop', 'maxLateSteps'],
        message: `${s.loop.maxLateSteps} is more than the ${lateStepsInWindow} late steps loop.lateWindowMs (${s.loop.lateWindowMs} ms) can hold at loop.rateHz ${s.loop.rateHz} Hz and loop.lateToleranceMs ${s.loop.lateToleranceMs} ms: LOOP_OVERRUN could never count them`,
      });
    }
    // LOOP_OVERRUN trips on one gap above loop.maxGapMs; every normal step comes a period after the
    // one before, up to lateToleranceMs later without counting as late. A maxGapMs within that
    // (40 ms at 10 Hz, whose period is 100 ms) tripped the loop on its second step, every run.
    const normalGapMs = 1000 / s.loop.rateHz + s.loop.lateToleranceMs;
    if (!(s.loop.maxGapMs > normalGapMs)) {
      ctx.addIssue({
        code: 'custom',
        path: ['loop', 'maxGapMs'],
        message: `${s.loop.maxGapMs} ms must be above a normal step's gap, ${Number(normalGapMs.toFixed(2))} ms (the period at loop.rateHz ${s.loop.rateHz} Hz plus loop.lateToleranceMs ${s.loop.lateToleranceMs} ms): LOOP_OVERRUN would trip on every step`,
      });
    }
    // The self-test opens each valve alone for selfTestValveMs: a stuck-open other valve must show
    // flow and be debounced inside that window, or the test passes it and the freeze runs on one
    // valve (VALVE_FAILURE then only at the freeze's end). A shorter window, or a longer debounce,
    // both of which passed alone, let the simulated stuck supply valve through.
    const valveFailure = INTERLOCKS.find((r) => r.id === 'VALVE_FAILURE');
    const valveDebounceMs = s.debounceMs.VALVE_FAILURE ?? valveFailure?.debounceMs ?? 0;
    // The line's rise is proportional to the supply: judged at the lowest one a start is let through.
    const { supplyLowBar, returnFlowBar } = s.pressure;
    const flowShowsMs = selfTestFlowShowsMs(supplyLowBar, returnFlowBar);
    const selfTestNeedsMs = valveDebounceMs + flowShowsMs + 1000 / s.loop.rateHz;
    if (flowShowsMs === Infinity) {
      ctx.addIssue({
        code: 'custom',
        path: ['pressure', 'returnFlowBar'],
        message: `${returnFlowBar} bar: with the supply at pressure.supplyLowBar ${supplyLowBar} bar the return line never shows flow (it rises to about ${(SIM_ATMOSPHERE_BAR_ABS + SIM_RETURN_RISE_PER_SUPPLY_BAR * supplyLowBar).toFixed(2)} bar abs), so the self-test cannot see a stuck-open valve: lower returnFlowBar or raise supplyLowBar`,
      });
    } else if (s.valves.selfTestValveMs < selfTestNeedsMs) {
      // The figure named is rounded up to a whole ms: a rounded-down 513.33 (30 Hz) was itself refused.
      ctx.addIssue({
        code: 'custom',
        path: ['valves', 'selfTestValveMs'],
        message: `${s.valves.selfTestValveMs} ms is too short to see a stuck-open valve: it must be at least ${Math.ceil(selfTestNeedsMs)} ms (VALVE_FAILURE's debounce ${valveDebounceMs} ms, ${Math.ceil(flowShowsMs)} ms for the return line to show flow above pressure.returnFlowBar ${returnFlowBar} bar with the supply at pressure.supplyLowBar ${supplyLowBar} bar, one period at loop.rateHz ${s.loop.rateHz} Hz)`,
      });
    }
    const totalFreezeS = s.protocol.cycles * s.protocol.freezeS;
    if (totalFreezeS > s.freezeLimit.cumulativeMaxS) {
      ctx.addIssue({
        code: 'custom',
        path: ['protocol'],
        message:
          `${s.protocol.cycles} cycles x ${s.protocol.freezeS} s = ${totalFreezeS} s of freezing exceeds ` +
          `freezeLimit.cumulativeMaxS ${s.freezeLimit.cumulativeMaxS} s`,
      });
    }
  });

export type Settings = Readonly<z.infer<typeof SettingsSchema>>;

export class SettingsError extends Error {}

/** Validate a settings object (e.g. parsed JSON); throws SettingsError naming every bad field. */
export function parseSettings(input: unknown, source = 'settings'): Settings {
  const result = SettingsSchema.safeParse(input ?? {});
  if (!result.success) throw new SettingsError(describeIssues(source, result.error, input));
  return deepFreeze(result.data);
}

/** The defaults, derived from the schema: each default value is written once, in its field's
 * `.default()` above (a section left out is parsed from `{}` by `.prefault`, not a second copy). */
export const DEFAULT_SETTINGS: Settings = parseSettings({});

/** A copy of `settings` with another protocol, validated again (bounds and cumulative cap). */
export function withProtocol(settings: Settings, protocol: Protocol, source = 'protocol'): Settings {
  return parseSettings({ ...settings, protocol }, source);
}

/** A copy of `settings` judging freezes for `nerveId` (null: none chosen), validated again. */
export function withNerve(settings: Settings, nerveId: string | null, source = 'nerve'): Settings {
  return parseSettings({ ...settings, iceBall: { ...settings.iceBall, nerveId } }, source);
}

/** The target r(-20 C), mm, a freeze of `nerveId` is judged against, the most specific first:
 * the nerve's own (iceBall.targetRadiusByNerveMm) when a nerve is chosen and has one, else the
 * protocol's (protocol.targetRadiusMm), else iceBall.targetRadiusMm (default 2 mm). The nerve
 * comes first because the radius the lesion must reach is the depth of that nerve; the protocol's
 * is a clinic's default for its technique. */
export function targetRadiusMm(settings: Settings, nerveId: string | null): number {
  const byNerve = settings.iceBall.targetRadiusByNerveMm;
  const otherwise = settings.protocol.targetRadiusMm ?? settings.iceBall.targetRadiusMm;
  // Object.hasOwn: an id is only ever an own key here, never a name on Object's prototype.
  return nerveId !== null && Object.hasOwn(byNerve, nerveId) ? (byNerve[nerveId] ?? otherwise) : otherwise;
}

/** Freezes `value` and every object inside it (deep-freeze.ts); here for the settings' users. */
export { deepFreeze };
