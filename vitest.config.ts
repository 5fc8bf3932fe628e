import { defineConfig } from 'vitest/config';

/** Real-time end-to-end tests on the emulated board: they share the machine with nothing else. */
const REAL_TIME = ['tests/emulated-*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: REAL_TIME, sequence: { groupOrder: 0 } },
      },
      {
        // The emulated Uno and the control loop run in real time in one process: other test files
        // running at once on this 2-core machine would make control ticks late (LOOP_OVERRUN).
        extends: true,
        test: { name: 'real-time', include: REAL_TIME, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
