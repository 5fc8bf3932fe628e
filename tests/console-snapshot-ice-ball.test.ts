// The snapshot's ice-ball estimate and per-freeze verdicts (issue 11, section 2): built from a
// real controller run whose state is given an estimate and verdicts (the controller fills them on
// its own branch; here the consumer side is tested with states constructed for it).
import { describe, expect, it } from 'vitest';
import { ICE_BALL_MAX_AGE_MS, buildSnapshot, iceBallView } from '../src/console/snapshot.js';
import type { FreezeVerdict, IceBallEstimate } from '../src/controller/ice-ball.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { logEvent } from '../src/runtime/loop.js';
import { capturingLogger } from './helpers/console-fixture.js';
import { NormalPatient, SHORT_PROTOCOL, drive, inPhase, normalUntil } from './helpers/readings.js';
import { runDefaultsOf } from '../src/runtime/loop.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const TIMING = { p50Ms: 0.1, p99Ms: 0.4, p999Ms: 2, maxMs: 3, late: 0, ticks: 500 };
const HEALTH = { rateHz: 50, lateThresholdMs: 5, sinceStart: TIMING, lastMinute: TIMING, missed: 0 };

const VERDICTS: readonly FreezeVerdict[] = [
  { cycle: 1, r20MmAtEnd: 2.4, targetMm: 2, atTargetMs: 31_000, effective: true },
  { cycle: 2, r20MmAtEnd: 1.6, targetMm: 2, atTargetMs: 0, effective: false },
];

function freezingWith(iceBall: (nowMs: number) => IceBallEstimate | null, verdicts: readonly FreezeVerdict[] = []) {
  const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
  const last = at.steps.at(-1)!;
  const state: ControllerState = { ...at.state, iceBall: iceBall(last.nowMs), freezeVerdicts: verdicts };
  return (nowMs = last.nowMs) => buildSnapshot({ seq: 1, nowMs, board: 'sim', state, settings: SETTINGS, run: runDefaultsOf(SETTINGS), readings: last.readings, outputs: last.outputs, loop: HEALTH, events: [] });
}

describe('the snapshot ice ball', () => {
  it('carries the radii of a fresh estimate, with the target of the latest verdict', () => {
    const s = freezingWith((nowMs) => ({ r0Mm: 4.1, r20Mm: 2.4, r40Mm: 1.3, atMs: nowMs - 20 }), VERDICTS)();
    expect(s.iceBall).toEqual({ estimate: { r0Mm: 4.1, r20Mm: 2.4, r40Mm: 1.3, atMs: s.atMs - 20 }, unknown: null, targetMm: 2 });
  });

  it('carries the verdict of each ended freeze in cycle order, the controller list itself', () => {
    const s = freezingWith(() => null, VERDICTS)();
    expect(s.freezeVerdicts).toBe(VERDICTS);
    expect(s.freezeVerdicts.map((v) => [v.cycle, v.effective])).toEqual([[1, true], [2, false]]);
  });

  it('says unknown, with why, when no estimate runs, and shows the settings\' target before the first verdict', () => {
    const s = freezingWith(() => null)();
    expect(s.iceBall).toEqual({ estimate: null, unknown: 'no estimate running', targetMm: DEFAULT_SETTINGS.iceBall.targetRadiusMm });
    expect(s.freezeVerdicts).toEqual([]);
  });

  it('never shows an estimate older than ICE_BALL_MAX_AGE_MS as now', () => {
    // The tip sample itself goes stale at tip.staleMs, before this: the estimate's own rule alone.
    const t0 = 60_000;
    const estimate = { r0Mm: 4.1, r20Mm: 2.4, r40Mm: 1.3, atMs: t0 };
    expect(iceBallView(estimate, null, 2, t0 + ICE_BALL_MAX_AGE_MS).estimate).toBe(estimate);
    const old = iceBallView(estimate, null, 2, t0 + ICE_BALL_MAX_AGE_MS + 1);
    expect(old.estimate).toBeNull();
    expect(old.unknown).toBe(`estimate is ${ICE_BALL_MAX_AGE_MS + 1} ms old (limit ${ICE_BALL_MAX_AGE_MS} ms)`);
    // Stamped in the future (a clock mix-up): not shown either.
    expect(iceBallView(estimate, null, 2, t0 - 1).estimate).toBeNull();
  });

  it('hides the estimate while the tip it rests on is not shown (a faulted channel)', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script(() => ({ fault: 'open' })), { settings: SETTINGS, durationMs: 200 });
    const last = d.steps.at(-1)!;
    const state: ControllerState = { ...d.state, iceBall: { r0Mm: 1, r20Mm: 0.5, r40Mm: 0, atMs: last.nowMs } };
    const s = buildSnapshot({ seq: 1, nowMs: last.nowMs, board: 'sim', state, settings: SETTINGS, run: runDefaultsOf(SETTINGS), readings: last.readings, outputs: last.outputs, loop: HEALTH, events: [] });
    expect(s.iceBall.estimate).toBeNull();
    expect(s.iceBall.unknown).toBe("tip: channel 0: fault bit 'open'");
  });
});

describe('the runtime log of a freeze verdict', () => {
  it('logs an effective freeze as info and an ineffective one as a warning, with the figures', () => {
    const { logger, text } = capturingLogger();
    for (const verdict of VERDICTS) logEvent(logger, { kind: 'freeze-verdict', atMs: 90_000, verdict });
    logEvent(logger, { kind: 'freeze-verdict', atMs: 95_000, verdict: { cycle: 3, r20MmAtEnd: null, targetMm: 2, atTargetMs: 0, effective: false } });
    const lines = text().trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; r20MmAtEnd: number | null });
    expect(lines.map((l) => l.msg)).toEqual([
      'freeze 1 effective: estimated r(-20 C) 2.4 mm, target 2.0 mm',
      'freeze 2 NOT effective: estimated r(-20 C) 1.6 mm, target 2.0 mm',
      'freeze 3 NOT effective: r(-20 C) unknown (no estimate), target 2.0 mm',
    ]);
    const [info, warn] = [lines[0]!.level, lines[1]!.level];
    expect(warn).toBeGreaterThan(info);
    expect(lines[2]!.level).toBe(warn);
    expect(lines.map((l) => l.r20MmAtEnd)).toEqual([2.4, 1.6, null]);
  });
});
