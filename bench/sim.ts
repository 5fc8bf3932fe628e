// Simulation throughput: the standard preset in virtual time, simulated seconds per wall second.
// One warm-up run (JIT) is discarded; the median of the measured runs is reported.
import { simulateTreatment } from '../src/sim/runner.js';
import { DEFAULT_SETTINGS, PRESETS, withProtocol } from '../src/controller/settings.js';
import { MonotonicClock } from '../kernel/clock.js';

export interface SimFigures {
  simulatedS: number;
  wallMs: number;
  speedup: number;
  runs: number;
  outcome: string;
}

export const SIM_MEASURED_RUNS = 5;

export function benchSim(runs = SIM_MEASURED_RUNS): SimFigures {
  const settings = withProtocol(DEFAULT_SETTINGS, PRESETS.standard);
  const wallClock = new MonotonicClock();
  simulateTreatment({ settings, seed: 1, wallClock });
  const results = Array.from({ length: runs }, (_, i) => simulateTreatment({ settings, seed: i + 1, wallClock }));
  const sorted = [...results].sort((a, b) => a.wallMs / a.simulatedS - b.wallMs / b.simulatedS);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) throw new Error('bench: no simulation runs');
  return {
    simulatedS: median.simulatedS,
    wallMs: Number(median.wallMs.toFixed(1)),
    speedup: Number(((median.simulatedS * 1000) / median.wallMs).toFixed(0)),
    runs,
    outcome: median.outcome,
  };
}
