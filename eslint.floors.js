// @ts-check
// The floors of the tree, bottom up: each may import the floors below it, never one above.
//   kernel/ < hal/ < calibration/ < hil/ < src/
// and src/controller/ (the pure control step) knows nothing of Node: no Node modules, no clock,
// timers, process, console or randomness except through the interfaces handed to it.
// docs/architecture.md draws the same picture; tests/lint-floors.test.ts checks these rules bite.
import { builtinModules } from 'node:module';

/** The floors in order; a file on floor i may import floors 0..i. */
export const FLOORS = ['kernel', 'hal', 'calibration', 'hil', 'src'];

/** A relative import that climbs out of its folder into `names` (any depth). */
const climbsInto = (names) => `^(\\.\\./)+(${names.join('|')})/`;

const floorRules = FLOORS.slice(0, -1).map((floor, i) => {
  const above = FLOORS.slice(i + 1);
  return {
    files: [`${floor}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: climbsInto(above),
          message: `${floor}/ is below ${above.join(', ')}: it must not import them (docs/architecture.md, the floors).`,
        }],
      }],
    },
  };
});

/** The modules below src/ that touch nothing of Node (no I/O, no clock): all the controller may import. */
const PURE_FOR_CONTROLLER = ['kernel/assert.js', 'kernel/co2.js', 'kernel/probe.js', 'kernel/config-error.js', 'kernel/units.js', 'hal/contract.js'];

const NODE_GLOBALS = ['process', 'console', 'Buffer', 'require', 'global', 'setTimeout', 'setInterval', 'setImmediate',
  'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'performance', 'fetch', 'Date'];

/** The controller's rules for its files `depth` folders below src/controller/ (0: its own files). */
function controllerRules(depth) {
  const up = '\\.\\./'.repeat(depth);
  const files = depth === 0 ? ['src/controller/*.ts'] : [`src/controller/${'*/'.repeat(depth)}*.ts`];
  const nodeMessage = 'src/controller/ knows nothing of Node: I/O and time come in through the step\'s arguments.';
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', {
        paths: builtinModules.map((name) => ({ name, message: nodeMessage })),
        patterns: [
          { regex: '^node:', message: nodeMessage },
          { regex: `^${up}\\.\\./(?!\\.\\./)`, message: 'src/controller/ imports nothing else of src/: the runtime calls it, never the reverse.' },
          {
            regex: `^${up}\\.\\./\\.\\./(?!(${PURE_FOR_CONTROLLER.map((m) => m.replace('.', '\\.')).join('|')})$)`,
            message: `src/controller/ imports only itself and the pure modules ${PURE_FOR_CONTROLLER.join(', ')}.`,
          },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'isNaN', message: 'Use Number.isNaN or Number.isFinite' },
        ...NODE_GLOBALS.map((name) => ({ name, message: `src/controller/ is a pure function of (time, settings, readings, state): no ${name}; time and I/O come in as arguments.` })),
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'src/controller/ is deterministic: randomness comes in through an interface (kernel/random.ts).' },
        { object: 'globalThis', message: 'src/controller/ reaches nothing of the host through globalThis.' },
      ],
    },
  };
}

/** Deepest sub-folder of src/controller/ the rules cover; tests/lint-floors.test.ts checks none is deeper. */
export const CONTROLLER_MAX_DEPTH = 2;

/** Spread into eslint.config.js after the shared rules. */
export const floorConfigs = [...floorRules, ...Array.from({ length: CONTROLLER_MAX_DEPTH + 1 }, (_, depth) => controllerRules(depth))];
