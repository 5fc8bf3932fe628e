// Numeric flags take plain decimals only, in every verb, and a single-valued flag given twice is
// refused rather than silently keeping the last.
import { describe, expect, it } from 'vitest';
import { cryo } from './helpers/cli.js';
import { plainDecimal } from '../src/cli/options.js';


/** Each verb's numeric flags, with the other arguments the verb needs to reach the flag. */
const NUMERIC_FLAGS: [verb: string[], flag: string, rest: string[]][] = [
  [['simulate'], '--cycles', ['--json']],
  [['simulate'], '--freeze-s', ['--json']],
  [['simulate'], '--thaw-s', ['--json']],
  [['simulate'], '--seed', ['--json']],
  [['simulate'], '--cylinder-temp-c', ['--json']],
  [['simulate'], '--stop-at', ['--json']],
  [['run'], '--speed', ['--exit-when-done']],
  [['run'], '--cycles', ['--exit-when-done']],
  [['run'], '--freeze-s', ['--exit-when-done']],
  [['run'], '--thaw-s', ['--exit-when-done']],
  [['co2'], '--pressure-bar', []],
  [['co2'], '--cylinder-temp-c', []],
  [['thermocouple', '--type', 'T', '--emf-mv', '1'], '--cj-c', []],
  [['thermocouple', '--type', 'T'], '--temp-c', []],
  [['thermocouple', '--type', 'T'], '--emf-mv', []],
  [['tissue', '--wall-c', '-70', '--times-s', '30'], '--probe-od-mm', []],
  [['tissue', '--probe-od-mm', '1.27', '--times-s', '30'], '--wall-c', []],
  [['tissue', '--probe-od-mm', '1.27', '--h-w-m2k', '1000', '--times-s', '30'], '--gas-c', []],
  [['tissue', '--probe-od-mm', '1.27', '--gas-c', '-70', '--times-s', '30'], '--h-w-m2k', []],
  [['tissue', '--probe-od-mm', '1.27', '--wall-c', '-70'], '--times-s', []],
  [['calibration', 'fit', '--point', '0:0.1'], '--max-residual-c', []],
  [['calibrate', '--probe', 'P1'], '--probe-offset-error-c', []],
  [['calibrate', '--probe', 'P1'], '--probe-gain-error', []],
];

describe('numeric flags', () => {
  // 0x1 is 1 and 0b1 is 1 to Number(): both in range for most flags, so only the format refuses them.
  it.each(NUMERIC_FLAGS.flatMap(([verb, flag, rest]) => ['0x1', '0b1', '1e0'].map((text) => [verb.join(' '), flag, text, verb, rest] as const)))(
    '%s %s refuses %j with exit 2, naming the flag and the value',
    async (_verb, flag, text, verb, rest) => {
      const r = await cryo([...verb, flag, text, ...rest]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${flag}: '${text}' is not a number: plain decimals only`);
      expect(r.out).toBe('');
    },
  );

  it.each(['0x78', '0b1010', '0o17', '1e2', '.5', '5.', '+5', ' 120', '120 ', '1_000', 'Infinity', '', '-', '1.2.3', '１２０'])(
    'refuses %j: Number() would read it, a person would not',
    (text) => {
      expect(plainDecimal(text, true)).toBeNull();
    },
  );

  it.each([
    ['120', false, 120],
    ['0.5', false, 0.5],
    ['007', false, 7],
    ['-78.5', true, -78.5],
  ] as const)('accepts the plain decimal %j (signed: %s)', (text, signed, value) => {
    expect(plainDecimal(text, signed)).toBe(value);
  });

  it('refuses a negative value where negatives make no sense, saying so', async () => {
    const r = await cryo(['simulate', '--stop-at', '-3', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--stop-at: '-3' must not be negative");
  });

  it('refuses a stop at 0 s, pressed with the start it would refuse, instead of reporting a fault after the time cap', async () => {
    for (const text of ['0', '0.0']) {
      const r = await cryo(['simulate', '--stop-at', text, '--json']);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`cryo: --stop-at: '${text}' must be above 0: start is pressed at 0 s, and a stop pressed with it refuses the start\n`);
      expect(r.out).toBe('');
    }
  });

  it('accepts a negative temperature', async () => {
    const r = await cryo(['thermocouple', '--type', 'T', '--temp-c', '-78.5', '--json']);
    expect(r.code).toBe(0);
  });

  it('refuses a calibration point written in hex', async () => {
    const r = await cryo(['calibration', 'fit', '--point', '0x0:0', '--point', '37:37', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--point: '0x0:0' is not REF:RAW");
  });
});

describe('flags given twice', () => {
  it.each([
    [['simulate', '--freeze-s', '60', '--freeze-s', '90', '--json'], "--freeze-s: given more than once ('60', then '90')"],
    [['simulate', '--seed', '1', '--seed=2', '--json'], "--seed: given more than once ('1', then '2')"],
    [['run', '--board', 'boards/sim.json', '--board', 'boards/arduino-uno.json'], '--board: given more than once'],
    [['co2', '--pressure-bar', '1', '--pressure-bar', '2'], '--pressure-bar: given more than once'],
    [['thermocouple', '--type', 'T', '--type', 'K', '--temp-c', '1'], '--type: given more than once'],
  ])('%j exits 2 naming the flag', async (args, message) => {
    const r = await cryo(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });

  it('keeps --fault repeatable', async () => {
    const r = await cryo(['simulate', '--cycles', '1', '--freeze-s', '30', '--thaw-s', '20', '--fault', 'tc-open@40', '--fault', 'estop@45', '--json']);
    expect(r.code).toBe(0);
  });

  it('keeps --point repeatable', async () => {
    const r = await cryo(['calibration', 'fit', '--point', '0:0', '--point', '37:37', '--json']);
    expect(r.code).toBe(0);
  });
});
