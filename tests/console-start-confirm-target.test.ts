// The console page's start confirmation names the r(-20 C) target the treatment's freezes will be
// judged against (issue 11). The page looks it up in the snapshot's `startTargets` by the nerve and
// the protocol figures the dialog chose; the loop resolves each with settings.ts targetRadiusMm.
// Judged here against the loop itself: for every kind of choice, the target the confirmation would
// show before the start is the one the loop judges that treatment by once it has begun.
import { describe, expect, it } from 'vitest';
import { applyConsoleCommand } from '../src/console/commands.js';
import type { ConsoleCommand, ProtocolChoice } from '../src/console/protocol.js';
import { startTargetMm } from '../src/console/page/format.js';
import { buildSnapshot, startTargets } from '../src/console/snapshot.js';
import { PRESETS, parseSettings, targetRadiusMm, withNerve } from '../src/controller/settings.js';
import type { Protocol, Settings } from '../src/controller/settings.js';
import { ControlLoop, runDefaultsOf } from '../src/runtime/loop.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { capturingLogger } from './helpers/console-fixture.js';
import { RecordingHal, nominalHalReadings } from './helpers/recording-hal.js';

const PERIOD_MS = 20;
const RUN_FIGURES = { cycles: 1, freezeS: 30, thawS: 10 } as const;
/** Four different radii, so a lookup in the wrong place shows: the run's protocol's, the default,
 * and the sural nerve's own (saphenous has none). */
const PROTOCOL_TARGET_MM = 3;
const DEFAULT_TARGET_MM = 2;
const SURAL_TARGET_MM = 3.5;
const SETTINGS = parseSettings({
  protocol: { ...RUN_FIGURES, targetRadiusMm: PROTOCOL_TARGET_MM },
  iceBall: { targetRadiusMm: DEFAULT_TARGET_MM, targetRadiusByNerveMm: { sural: SURAL_TARGET_MM } },
});
const HEALTH = { rateHz: 50, lateThresholdMs: 5, sinceStart: { p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, late: 0, ticks: 0 }, lastMinute: { p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, late: 0, ticks: 0 }, missed: 0 };

/** The dialog's protocol choices: the run's figures as custom figures, a preset with other
 * figures, and other custom figures. */
const CHOICES: readonly { name: string; choice: ProtocolChoice; figures: { cycles: number; freezeS: number; thawS: number } }[] = [
  { name: "the run's figures", choice: { ...RUN_FIGURES }, figures: RUN_FIGURES },
  { name: 'the percutaneous preset', choice: { preset: 'percutaneous' }, figures: PRESETS.percutaneous },
  { name: 'other custom figures', choice: { cycles: 2, freezeS: 40, thawS: 20 }, figures: { cycles: 2, freezeS: 40, thawS: 20 } },
];
const NERVE_CHOICES = [null, 'sural', 'saphenous'] as const;

/** The loop on a board of nominal readings, its snapshot before a start, and the target it judges
 * the treatment by once a start from the page has begun it (its phase SelfTest). `earlier`: a
 * protocol chosen on the page before (its settings then have none of the run's protocol target). */
function startFromPage(settings: Settings, choice: ProtocolChoice, nerveId: string | null, earlier: Protocol | null) {
  const log = capturingLogger();
  const loop = new ControlLoop({ hal: new RecordingHal((i) => nominalHalReadings(i * PERIOD_MS)), settings, logger: log.logger, startMs: 0, calibration: SIM_PROBE_CALIBRATION });
  if (earlier !== null) expect(loop.setProtocol(earlier)).toBeNull();
  const snapshot = buildSnapshot({ seq: 1, nowMs: 0, board: 'sim', state: loop.state, settings: loop.settings, run: loop.runDefaults, readings: null, outputs: loop.lastOutputs, loop: HEALTH, events: [] });
  const command: ConsoleCommand = nerveId === null ? { type: 'start', protocol: choice } : { type: 'start', protocol: choice, target: { nerveId, side: 'left' } };
  applyConsoleCommand(loop, command, 'loopback', 'kiosk', log.logger);
  loop.tick(0);
  expect(loop.state.phase).toBe('SelfTest');
  return { shownMm: snapshot.startTargets, judgedMm: targetRadiusMm(loop.settings, loop.settings.iceBall.nerveId) };
}

describe("the start confirmation's r(-20 C) target", () => {
  for (const earlier of [null, PRESETS.standard]) {
    for (const runNerve of [null, 'sural'] as const) {
      for (const { name, choice, figures } of CHOICES) {
        for (const nerveId of NERVE_CHOICES) {
          const what = `${earlier === null ? '' : 'after a preset chosen earlier, '}run's nerve ${runNerve ?? 'none'}, ${name}, nerve ${nerveId ?? 'none named'}`;
          it(`is the target the loop then judges by (${what})`, () => {
            const r = startFromPage(withNerve(SETTINGS, runNerve), choice, nerveId, earlier);
            expect(startTargetMm(r.shownMm, figures, nerveId)).toBe(r.judgedMm);
          });
        }
      }
    }
  }

  it("follows the resolver's order: the nerve's own, else the run's protocol's for its figures, else the default", () => {
    const t = startTargets(SETTINGS, runDefaultsOf(SETTINGS));
    const other = PRESETS.percutaneous;
    expect([startTargetMm(t, RUN_FIGURES, 'sural'), startTargetMm(t, other, 'sural')]).toEqual([SURAL_TARGET_MM, SURAL_TARGET_MM]);
    expect([startTargetMm(t, RUN_FIGURES, 'saphenous'), startTargetMm(t, other, 'saphenous')]).toEqual([PROTOCOL_TARGET_MM, DEFAULT_TARGET_MM]);
    expect([startTargetMm(t, RUN_FIGURES, null), startTargetMm(t, other, null)]).toEqual([PROTOCOL_TARGET_MM, DEFAULT_TARGET_MM]);
    // A start naming no nerve is judged for the run's (--target).
    const suralRun = withNerve(SETTINGS, 'sural');
    expect(startTargetMm(startTargets(suralRun, runDefaultsOf(suralRun)), other, null)).toBe(SURAL_TARGET_MM);
  });

  it('is worked out once for the same settings and run, and again when the settings are replaced', () => {
    const run = runDefaultsOf(SETTINGS);
    const t = startTargets(SETTINGS, run);
    // Every snapshot and telemetry frame asks; the answer is kept, and frozen so no holder can change it.
    expect(startTargets(SETTINGS, run)).toBe(t);
    expect(Object.isFrozen(t) && Object.isFrozen(t.otherProtocol.byNerveMm)).toBe(true);
    // The loop replaces its settings object when they change: a new default target is seen.
    const wider = parseSettings({ protocol: SETTINGS.protocol, iceBall: { targetRadiusMm: 2.5, targetRadiusByNerveMm: { sural: SURAL_TARGET_MM } } });
    expect(startTargetMm(startTargets(wider, run), PRESETS.percutaneous, 'saphenous')).toBe(2.5);
    // And so is another run's nerve with the same settings.
    expect(startTargetMm(startTargets(SETTINGS, runDefaultsOf(withNerve(SETTINGS, 'sural'))), PRESETS.percutaneous, null)).toBe(SURAL_TARGET_MM);
    expect(startTargetMm(startTargets(SETTINGS, run), PRESETS.percutaneous, null)).toBe(DEFAULT_TARGET_MM);
  });

  it('is unknown for a nerve the table lacks, never another nerve\'s or the default', () => {
    const t = startTargets(SETTINGS, runDefaultsOf(SETTINGS));
    expect(startTargetMm(t, RUN_FIGURES, 'sciatic')).toBeNull();
    expect(startTargetMm(t, RUN_FIGURES, 'toString')).toBeNull();
  });
});
