// Board files that would make the console unsafe are refused by the one loader both `cryo boards
// check` and `cryo run` use, so check passes exactly the files run accepts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cryo } from './helpers/cli.js';
import { tempDirForFile } from './helpers/temp.js';
import { problemsOf } from './helpers/board-problems.js';
import { loadAnyBoardFile } from '../src/board.js';

type Json = Record<string, unknown>;
const shipped = (name: string): Json & { buttons: Json; firmata: Json; frontend: Json; plant: Json } =>
  JSON.parse(fs.readFileSync(`boards/${name}.json`, 'utf8')) as never;


const tempDir = tempDirForFile('board-refusals-');
let boardFiles = 0;

function boardFile(board: unknown): string {
  const file = path.join(tempDir, `board-${++boardFiles}.json`);
  fs.writeFileSync(file, JSON.stringify(board));
  return file;
}


describe('input polarities that make a broken wire read safe', () => {
  it('refuses an active-low e-stop, which would read a broken wire as released', () => {
    const b = shipped('arduino-uno');
    b.buttons = { ...b.buttons, estopPolarity: 'active-low' };
    expect(problemsOf(b)).toMatch(/^boards\/x.json: buttons.estopPolarity: "active-low" is refused: a broken e-stop wire .* would read as released/m);
  });

  it('refuses an active-high probe-presence input, which would read a broken wire as a probe fitted', () => {
    const b = shipped('raspberry-pi');
    b.buttons = { ...b.buttons, probePolarity: 'active-high' };
    expect(problemsOf(b)).toMatch(/^boards\/x.json: buttons.probePolarity: "active-high" is refused: a broken probe-presence wire .* would read as a probe fitted/m);
  });
});

describe('serial ports', () => {
  it.each([
    ['/dev/ttyUSB1', '/dev/ttyUSB1'],
    ['/dev/ttyUSB1', '/dev/./ttyUSB1'],
    ['COM3', 'com3'],
  ])('refuses firmata.port %j and frontend.port %j: the same device', (firmataPort, frontendPort) => {
    const b = shipped('arduino-uno');
    b.firmata = { ...b.firmata, port: firmataPort };
    b.frontend = { ...b.frontend, port: frontendPort };
    expect(problemsOf(b)).toContain(`boards/x.json: frontend.port: ${JSON.stringify(frontendPort)} is also firmata.port: the Uno and the thermocouple front-end need a serial port each`);
  });

  it('accepts two different ports', () => {
    const b = shipped('arduino-uno');
    b.firmata = { ...b.firmata, port: '/dev/ttyACM0' };
    expect(problemsOf(b)).toBe('');
  });

  it("refuses a rig board whose front-end device is not beside the Uno's (the rig makes both in one directory)", () => {
    const b = shipped('uno-emulated');
    b.frontend = { ...b.frontend, port: '/dev/ttyUSB1' };
    expect(problemsOf(b)).toContain(
      'boards/x.json: frontend.port: "/dev/ttyUSB1": a rig board\'s front-end device is an absolute path in the directory of firmata.port ("/tmp/cryo-rig/uno")',
    );
  });

  it("refuses a rig board whose Uno device is not an absolute path", () => {
    const b = shipped('uno-emulated');
    b.firmata = { ...b.firmata, port: 'cryo-rig/uno' };
    expect(problemsOf(b)).toContain('boards/x.json: firmata.port: "cryo-rig/uno": a rig board names the Uno\'s device by an absolute path (the rig makes it)');
  });

  it('refuses autoCalibrate on a board without a rig: a real probe is calibrated in real baths', () => {
    const b = shipped('uno-emulated');
    b.rig = null;
    expect(problemsOf(b)).toContain('boards/x.json: calibration.autoCalibrate: true only for emulated (rig) boards');
  });
});

describe('probe ids in board files', () => {
  it.each([
    ['sim', (b: ReturnType<typeof shipped>) => ({ ...b, plant: { ...b.plant, probeId: '../../etc/x' } }), 'plant.probeId', '../../etc/x'],
    ['uno-emulated', (b: ReturnType<typeof shipped>) => ({ ...b, probeId: '..' }), 'probeId', '..'],
    ['arduino-uno', (b: ReturnType<typeof shipped>) => ({ ...b, probeId: 'a/b' }), 'probeId', 'a/b'],
  ])('%s: refuses a probe id outside the safe pattern, naming the field and the value', (name, edit, field, id) => {
    expect(problemsOf(edit(shipped(name)))).toBe(`boards/x.json: ${field}: ${JSON.stringify(id)} is not a valid probe id (1-64 of A-Z a-z 0-9 . _ -, not . or ..)`);
  });

  it('cryo run exits 2 with one line naming the file, field and value for a path-traversal probe id', async () => {
    const b = shipped('sim');
    const file = boardFile({ ...b, plant: { ...b.plant, probeId: '../../etc/x' } });
    const r = await cryo(['run', '--board', file, '--exit-when-done']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`cryo: ${file}: plant.probeId: "../../etc/x" is not a valid probe id (1-64 of A-Z a-z 0-9 . _ -, not . or ..)\n`);
  });
});

describe('cryo boards check and cryo run agree', () => {
  const badPlants: [string, Json][] = [
    ['a cylinder above the critical temperature', { cylinderTempC: 45 }],
    ['a negative liquid charge', { liquidChargeG: -1 }],
  ];

  it.each(badPlants)('both refuse a sim board with %s, with the same line', async (_what, plant) => {
    const b = shipped('sim');
    const file = boardFile({ ...b, plant: { ...b.plant, ...plant } });
    const check = await cryo(['boards', 'check', file]);
    const run = await cryo(['run', '--board', file, '--exit-when-done']);
    expect(check.code).toBe(1);
    expect(run.code).toBe(2);
    const line = check.err.trim();
    expect(line).toMatch(new RegExp(`^${file}: plant: ${Object.keys(plant)[0] ?? ''} `));
    expect(line.split('\n')).toHaveLength(1);
    expect(run.err).toBe(`cryo: ${line}\n`);
  });
});

describe('the ADC resolution', () => {
  // An Uno's 10-bit counts read as 11-bit: a blocked return line's 3 bar reads 0.9 bar.
  it.each([8, 11, 12, 16])("refuses pressure.adcBits %i on an Uno, whose ADC gives 10-bit counts", (bits) => {
    const uno = shipped('arduino-uno');
    (uno.pressure as Json).adcBits = bits;
    expect(problemsOf(uno)).toBe(`boards/x.json: pressure.adcBits: the Arduino Uno (StandardFirmata)'s ADC gives 10-bit counts (got ${bits}): read against another full scale every pressure would be wrong`);
  });

  it('takes the shipped boards, the Pi giving its ADS1115 resolution itself', () => {
    for (const name of ['arduino-uno', 'raspberry-pi', 'uno-emulated']) expect(problemsOf(shipped(name))).toBe('');
  });
});

describe('the return transducer reads bar absolute', () => {
  const withTransducer = (name: string, line: 'supply' | 'return', minBar: number): Json => {
    const b = shipped(name);
    const pressure = b.pressure as Record<string, Json>;
    pressure[line] = { ...pressure[line], minBar };
    return b;
  };

  // A compound gauge transducer (-1..9 bar gauge) declared as it is: read as absolute, every return
  // pressure would be about 1 bar low, a blocked exhaust's 3 bar read as 2.
  it.each(['arduino-uno', 'raspberry-pi', 'uno-emulated'])('refuses a negative return minBar on %s, naming the field and value', (name) => {
    expect(problemsOf(withTransducer(name, 'return', -1))).toBe(
      "boards/x.json: pressure.return.minBar: the return line reads bar absolute, which is never below 0 (got -1): give an absolute transducer's range, or a gauge one's offset by 1.013 bar",
    );
  });

  it('refuses a return minBar just below 0 when the board file is loaded', () => {
    expect(() => loadAnyBoardFile(boardFile(withTransducer('arduino-uno', 'return', -0.01)))).toThrow(/: pressure\.return\.minBar: the return line reads bar absolute, .* \(got -0\.01\)/);
  });

  it.each([0, 0.013])('accepts a return minBar of %s bar absolute (the same compound transducer offset by 1.013 bar)', (minBar) => {
    expect(problemsOf(withTransducer('arduino-uno', 'return', minBar))).toBe('');
  });

  it('keeps the supply (gauge) transducer range down to -1 bar', () => {
    expect(problemsOf(withTransducer('arduino-uno', 'supply', -1))).toBe('');
    expect(problemsOf(withTransducer('arduino-uno', 'supply', -1.01))).toMatch(/^boards\/x.json: pressure.supply.minBar: /);
  });
});
