import { defineConfig } from 'vitest/config';

/** Real-time end-to-end tests (the emulated board; `cryo run` with its console worker at speed 1,
 * tests/console-run.test.ts, and at speeds 2-10 driven from chromium, tests/console-e2e.test.ts):
 * they share the machine with nothing else. */
const REAL_TIME = ['tests/emulated-*.test.ts', 'tests/console-run.test.ts', 'tests/console-e2e.test.ts'];
/** The CI fuzz campaign: two worker threads for minutes; it runs last, alone. */
const FUZZ_CAMPAIGN = ['tests/fuzz-ci.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    pool: 'forks',
    // The run's own temp folder, checked empty at the end (tests leave nothing behind).
    globalSetup: ['tests/helpers/private-tmpdir.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: [...REAL_TIME, ...FUZZ_CAMPAIGN], sequence: { groupOrder: 0 } },
      },
      {
        // The rig (cryo rig: the emulated Uno and front-end, its own process) and the consoles under
        // test run in real time: other test files running at once on this 2-core machine would make
        // control ticks late (LOOP_OVERRUN) or samples stale (SENSOR_STALE).
        extends: true,
        test: { name: 'real-time', include: REAL_TIME, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
      {
        // Both cores go to the campaign's worker threads: after the real-time tests, on its own.
        extends: true,
        test: { name: 'fuzz', include: FUZZ_CAMPAIGN, fileParallelism: false, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
