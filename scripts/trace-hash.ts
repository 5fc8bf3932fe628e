// A fingerprint of what the simulator does, tick by tick, for speed work that must not change it:
// every step's readings, outputs, events and key state over seven seeded runs (three presets, a
// thermocouple open and a stuck one, a glitch of the return transducer), hashed with SHA-256.
// Run it on two builds (this checkout and another in a worktree) and compare the lines: equal
// lines, equal behaviour on every tick. `--without-estimate` leaves out the live ice-ball
// estimate's radii and verdicts (for a change to the estimate alone: the rest must still match).
// Run: npx tsx scripts/trace-hash.ts [--without-estimate]   (about 10 s)
import { createHash } from 'node:crypto';
import { parseFaultSpec } from '../hil/faults.js';
import { DEFAULT_SETTINGS, PRESETS, withProtocol } from '../src/controller/settings.js';
import type { PresetName } from '../src/controller/settings.js';
import { step } from '../src/controller/step.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { simulateTreatment } from '../src/sim/runner.js';

interface TraceCase {
  readonly name: string;
  readonly preset: PresetName;
  readonly seed: number;
  /** Fault specs as `cryo simulate --fault` takes them. */
  readonly faults: readonly string[];
}

const CASES: readonly TraceCase[] = [
  { name: 'standard-1', preset: 'standard', seed: 1, faults: [] },
  { name: 'standard-7', preset: 'standard', seed: 7, faults: [] },
  { name: 'percutaneous-3', preset: 'percutaneous', seed: 3, faults: [] },
  { name: 'cervical-5', preset: 'cervical', seed: 5, faults: [] },
  { name: 'standard-tc-open', preset: 'standard', seed: 2, faults: ['tc-open@30'] },
  { name: 'standard-tc-stuck', preset: 'standard', seed: 6, faults: ['tc-stuck@40'] },
  { name: 'standard-return-glitch', preset: 'standard', seed: 8, faults: ['return-pressure-lost@30:0.04'] },
];

const withoutEstimate = process.argv.includes('--without-estimate');
// The loop recycles its states as the simulations run it (src/runtime/loop.ts recycleStates);
// --fresh: new states every tick, as `cryo run` steps. The two must hash the same.
const fresh = process.argv.includes('--fresh');

for (const c of CASES) {
  const settings = withProtocol(DEFAULT_SETTINGS, PRESETS[c.preset]);
  const hash = createHash('sha256');
  let ticks = 0;
  const hashing: StepFunction = (nowMs, s, readings, prev, work) => {
    const r = step(nowMs, s, readings, prev, work);
    ticks++;
    const events = withoutEstimate ? r.events.filter((e) => e.kind !== 'freeze-verdict') : r.events;
    const st = r.state;
    const estimate = withoutEstimate ? null : [st.iceBall, st.freezeVerdicts];
    hash.update(
      JSON.stringify([
        nowMs,
        readings.tips,
        readings.supply,
        readings.returnLine,
        readings.operator,
        r.outputs,
        events,
        estimate,
        st.phase,
        st.sub,
        st.safeToWithdraw,
        st.tipDistrust,
        st.warm,
        st.alarms,
        st.cycleFreezeMs,
        st.gasLastFlowedMs,
      ]),
    );
    return r;
  };
  const summary = simulateTreatment({ settings, seed: c.seed, faults: c.faults.map(parseFaultSpec), step: hashing, recycleStates: !fresh });
  console.log(`${c.name} ${ticks} ticks ${hash.digest('hex').slice(0, 16)} ${summary.outcome}`);
}
