// @ts-check
// The floors of the tree, bottom up: each may import the floors below it, never one above.
//   kernel/ < hal/ < calibration/ < hil/ < src/
// and src/controller/ (the pure control step) knows nothing of Node: no Node modules, no clock,
// timers, process, console or randomness except through the interfaces handed to it.
// docs/architecture.md draws the same picture; tests/lint-floors.test.ts checks these rules bite.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

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
const PURE_FOR_CONTROLLER = ['kernel/assert.js', 'kernel/co2.js', 'kernel/probe.js', 'kernel/config-error.js', 'kernel/units.js', 'kernel/bioheat/index.js', 'hal/contract.js'];

const NODE_GLOBALS = ['globalThis', 'crypto', 'process', 'console', 'Buffer', 'require', 'global', 'setTimeout', 'setInterval', 'setImmediate',
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


const ROOT = import.meta.dirname;
/** Bare packages src/controller/ may import: pure, no I/O. */
const CONTROLLER_PACKAGES = ['zod'];
const NODE_BUILTINS = new Set(builtinModules);

/** The floor a file or an import target lies on, from its path relative to the project root. */
function floorOf(absPath) {
  const rel = relative(ROOT, absPath).split(sep).join('/');
  const first = rel.split('/')[0];
  return { rel, floor: FLOORS.includes(first) ? first : null };
}

/**
 * The floors checked by path, not by spelling: every module specifier (static and dynamic
 * import, re-export, `import('...')` types, require) is resolved against the importing file, so
 * './../src/x', '../../kernel/../src/x' and '..//src/x' are judged by where they land. In
 * src/controller/ it also refuses Node modules, any package but CONTROLLER_PACKAGES, imports it
 * cannot resolve (a computed import()), and anything outside itself but the pure modules.
 */
const noUpwardImport = {
  meta: { type: 'problem', schema: [], messages: { upward: '{{why}}' } },
  create(context) {
    const file = floorOf(context.filename);
    if (file.floor === null) return {};
    const inController = file.rel.startsWith('src/controller/');
    const report = (node, why) => context.report({ node, messageId: 'upward', data: { why } });
    const judge = (node, spec) => {
      if (typeof spec !== 'string') {
        if (inController) report(node, 'src/controller/ imports only what lint can see: no computed import().');
        return;
      }
      if (spec.startsWith('.')) {
        const target = floorOf(resolve(dirname(context.filename), spec));
        if (target.floor !== null && FLOORS.indexOf(target.floor) > FLOORS.indexOf(file.floor)) {
          report(node, `${file.floor}/ is below ${target.floor}/: ${JSON.stringify(spec)} imports up a floor (docs/architecture.md, the floors).`);
        } else if (inController && !target.rel.startsWith('src/controller/') && !PURE_FOR_CONTROLLER.includes(target.rel.replace(/\.ts$/, '.js'))) {
          report(node, `src/controller/ imports only itself and the pure modules ${PURE_FOR_CONTROLLER.join(', ')} (not ${target.rel}).`);
        }
        return;
      }
      if (!inController) return;
      const name = spec.startsWith('node:') ? spec.slice('node:'.length) : spec;
      if (spec.startsWith('node:') || NODE_BUILTINS.has(name.split('/')[0])) {
        report(node, `src/controller/ knows nothing of Node (${spec}): I/O and time come in through the step's arguments.`);
      } else if (!CONTROLLER_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))) {
        report(node, `src/controller/ imports no package but ${CONTROLLER_PACKAGES.join(', ')} (${spec}): a package may do I/O.`);
      }
    };
    const literal = (n) => (n?.type === 'Literal' ? n.value : n?.type === 'TemplateLiteral' && n.expressions.length === 0 ? n.quasis[0].value.cooked : undefined);
    return {
      ImportDeclaration: (node) => { judge(node, node.source.value); },
      ExportAllDeclaration: (node) => { judge(node, node.source.value); },
      ExportNamedDeclaration: (node) => { if (node.source) judge(node, node.source.value); },
      ImportExpression: (node) => { judge(node, literal(node.source)); },
      TSImportType: (node) => { judge(node, literal(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument)); },
      TSExternalModuleReference: (node) => { judge(node, literal(node.expression)); },
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') judge(node, literal(node.arguments[0]));
      },
    };
  },
};

const pathRules = {
  files: FLOORS.map((f) => `${f}/**/*.ts`),
  plugins: { floors: { rules: { 'no-upward-import': noUpwardImport } } },
  rules: { 'floors/no-upward-import': 'error' },
};

/** Spread into eslint.config.js after the shared rules. */
export const floorConfigs = [...floorRules, pathRules, ...Array.from({ length: CONTROLLER_MAX_DEPTH + 1 }, (_, depth) => controllerRules(depth))];
