import { defineConfig } from 'vitest/config';

/**
 * Vitest for mutation testing (`npm run mutate`, stryker.config.json): the fast, deterministic
 * tests of the pure control step only. No emulated board (real time), no fuzz campaign, no
 * plant-in-the-loop treatments: every surviving mutant reruns every test that covers it, so a
 * slow test here multiplies the run time by the number of mutants it covers.
 *
 * Per-test coverage only sees what runs inside a test: a file that drives the step in a
 * `describe` body (tests/alarms.test.ts) makes every mutant it reaches "static", and a static
 * mutant reruns every file here. Such files stay out; their behaviours are covered by tests that
 * drive the step inside `it` (tests/alarm-signals.test.ts).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    pool: 'forks',
    include: [
      'tests/controller-*.test.ts',
      'tests/interlock-*.test.ts',
      'tests/property-step.test.ts',
      'tests/review-*.test.ts',
      'tests/settings.test.ts',
    ],
  },
});
