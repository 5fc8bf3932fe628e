// withChanges (src/controller/state.ts): every state the step builds is one literal naming every
// field in initialState's order, so that all states share one hidden class in V8 (a spread gives
// each site's copies a class of their own, and the step's field reads went megamorphic). It must
// give exactly what a spread gives.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, PRESETS, withProtocol } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { NO_CHANGES, initialState, withChanges } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import { simulateTreatment } from '../src/sim/runner.js';

describe('withChanges', () => {
  const s = initialState(1_000, { cumulativeFreezeMs: 42_000 });

  it('copies every field, in initialState order, with nothing changed', () => {
    const copy = withChanges(s, NO_CHANGES);
    expect(copy).not.toBe(s);
    expect(copy).toEqual(s);
    expect(Object.keys(copy)).toEqual(Object.keys(s));
  });

  it('gives what a spread gives for each field changed alone, null included, and keeps the order', () => {
    const changes: Partial<ControllerState>[] = [
      { phase: 'Freezing', sub: 'freeze-open' },
      { cycle: 2, cyclesBegun: 2 },
      { freezeOpenedMs: 5_000 },
      { supplyClosedSinceMs: null },
      { tipDistrust: { reason: 'test', sinceMs: 3 } },
      { startRequested: true, audioPause: { startMs: 1, untilMs: 2 } },
      { safeToWithdraw: true, lastStepMs: 999 },
    ];
    for (const c of changes) {
      const built = withChanges(s, c);
      expect(built).toEqual({ ...s, ...c });
      expect(Object.keys(built)).toEqual(Object.keys(s));
    }
    const opened = withChanges(s, { freezeOpenedMs: 7 });
    expect(withChanges(opened, { freezeOpenedMs: null }).freezeOpenedMs).toBeNull();
  });

  it('returns every state of a treatment in initialState key order (a spread keeps the order too: the hidden-class check below is what catches one)', () => {
    const order = Object.keys(s).join(',');
    const seen = new Set<string>();
    simulateTreatment({
      settings: withProtocol(DEFAULT_SETTINGS, PRESETS.percutaneous),
      seed: 2,
      faults: [],
      step: (nowMs, settings, readings, prev, work) => {
        const result = step(nowMs, settings, readings, prev, work);
        seen.add(Object.keys(result.state).join(','));
        return result;
      },
    });
    expect([...seen]).toEqual([order]);
  });
});

/** Run in a child node with V8's natives syntax on the sources (tsx), not on dist/: a build left
 * from before a change, or none at all (vitest run alone), judged other code than the test's. Every
 * state a treatment's steps return, the state each step was given, the workspace's scratch state
 * and the states the phase and audio-pause builders give must share one hidden class. Prints the
 * number of classes seen. The states built inside step.ts itself between its scratch state and its
 * closing literal are not seen here (a spread there still gives 1). */
const SAME_CLASS_SCRIPT = `
const { simulateTreatment } = await import('./src/sim/runner.ts');
const { DEFAULT_SETTINGS, PRESETS, withProtocol } = await import('./src/controller/settings.ts');
const { step } = await import('./src/controller/step.ts');
const classes = [];
const see = (o) => { if (!classes.some((c) => %HaveSameMap(c, o))) classes.push(o); };
simulateTreatment({
  settings: withProtocol(DEFAULT_SETTINGS, PRESETS.percutaneous),
  seed: 3,
  faults: [{ kind: 'return-blocked', atMs: 60000, durationMs: 3000 }],
  step: (nowMs, settings, readings, prev, work) => {
    see(prev);
    const result = step(nowMs, settings, readings, prev, work);
    see(result.state);
    if (work?.tracked) see(work.tracked);
    return result;
  },
});
// The step's intermediate states never leave it: the builders it calls are asked directly.
const { initialState } = await import('./src/controller/state.ts');
const { enterPhase } = await import('./src/controller/phase-logic.ts');
const { updateAudioPause } = await import('./src/controller/alarm-conditions.ts');
const idle = initialState(0);
see(idle);
see(enterPhase(idle, 1, 'SelfTest', 'selftest-settle', [], 0));
const press = (s, nowMs) => updateAudioPause(s, { nowMs, settings: DEFAULT_SETTINGS, pressed: true, newHigh: false }, []);
const paused = press(idle, 1);
if (paused === idle || press(paused, 2).audioPause !== null) throw new Error('the audio pause did not start and end');
see(paused);
see(press(paused, 2));
console.log(classes.length);
`;
const CHILD_TIMEOUT_MS = 60_000;

describe('the states of a treatment in V8', () => {
  it('share one hidden class: given, returned, the workspace scratch and the phase and audio-pause builders (a blocked return trips and clears on the way)', () => {
    const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', SAME_CLASS_SCRIPT], {
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
      // tsx's transform cache would stay behind in the temp folder (tsx-UID).
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('1');
  });
});
