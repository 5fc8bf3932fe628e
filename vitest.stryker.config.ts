import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** Files that take seconds: run last, so a mutant a quick test kills never waits for them
 * (Vitest's own order is slowest first, and Stryker stops a mutant at its first failing test). */
const SLOW_FILES = ['tests/review-findings.test.ts', 'tests/property-step.test.ts'];

class QuickFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => SLOW_FILES.findIndex((slow) => f.moduleId.endsWith(slow));
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId)));
  }
}

/**
 * Vitest for mutation testing (`npm run mutate`, stryker.config.json): the fast, deterministic
 * tests of the pure control step only. No emulated board (real time), no fuzz campaign, no
 * plant-in-the-loop treatments: every surviving mutant reruns every test that covers it, so a
 * slow test here multiplies the run time by the number of mutants it covers.
 *
 * Per-test coverage only sees what runs inside a test: a file that drives the step in a
 * `describe` body makes every mutant it reaches "static", and a static mutant reruns every file
 * here (tests/alarms.test.ts did that: 1574 static mutants of 1949, about 20 h). Drive the step
 * inside `it`.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Stryker activates each mutant at run time (ignoreStatic in stryker.config.json), so the
    // files may share one module graph: a mutant run then costs the tests, not their imports
    // (withdrawal.ts: dry run 23 s instead of 68 s, 30 mutants in 30 s instead of about 2 min).
    pool: 'forks',
    isolate: false,
    sequence: { sequencer: QuickFirst },
    include: [
      'tests/alarms.test.ts',
      'tests/controller-*.test.ts',
      'tests/interlock-*.test.ts',
      'tests/property-step.test.ts',
      'tests/review-*.test.ts',
      'tests/settings.test.ts',
      'tests/withdrawal-status.test.ts',
    ],
  },
});
