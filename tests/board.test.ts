import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { BoardError, checkBoardFiles, loadAnyBoardFile, parseAnyBoard, parseBoard } from '../src/board.js';
import { registerBoards } from '../src/cli/boards.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('boards-');

/** Every board file shipped in boards/ (a new one is checked without editing this test). */
const SHIPPED = fs
  .readdirSync('boards')
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => `boards/${f}`);
const uno = (): Record<string, unknown> & { pins: Record<string, unknown>; pressure: Record<string, Record<string, unknown>> } =>
  JSON.parse(fs.readFileSync('boards/arduino-uno.json', 'utf8')) as never;

function problemsOf(input: unknown): readonly string[] {
  try {
    parseAnyBoard(input, 'boards/x.json');
  } catch (err) {
    if (err instanceof BoardError) return err.problems;
    throw err;
  }
  return [];
}

function tmpFile(name: string, text: string): string {
  const dir = newTempDir();
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('board files', () => {
  it('finds the shipped board files in boards/', () => {
    expect(SHIPPED).toContain('boards/sim.json');
  });

  it.each(SHIPPED)('accepts the shipped board file %s', (file) => {
    expect(checkBoardFiles([file])).toEqual([{ file, ok: true, problems: [] }]);
  });

  it('keeps sim.json a sim board', () => {
    expect(loadAnyBoardFile('boards/sim.json').backend).toBe('sim');
  });

  it('refuses a hardware board where a simulated one is required, naming the source', () => {
    expect(() => parseBoard(loadAnyBoardFile('boards/arduino-uno.json'), 'boards/arduino-uno.json')).toThrow(/boards\/arduino-uno.json: backend: expected a simulated board/);
  });

  it('marks the emulated board as served by the rig, its two devices in one directory', () => {
    const board = loadAnyBoardFile('boards/uno-emulated.json');
    expect(board.backend === 'hardware' && board.rig).toEqual({ seed: 1, exitWhenIdleS: 600 });
    expect(board.backend === 'hardware' && [board.firmata.port, board.frontend.port]).toEqual(['/tmp/cryo-rig/uno', '/tmp/cryo-rig/frontend']);
  });

  it('names both uses of a pin used twice', () => {
    const b = uno();
    b.pins.lampLow = 9;
    expect(problemsOf(b)).toContain('boards/x.json: pins.lampLow: pin 9 is used twice (also pins.heartbeat)');
  });

  it('refuses active-low valves on a StandardFirmata board, which drives every pin LOW from boot', () => {
    const b = { ...uno(), valvePolarity: 'active-low' };
    expect(problemsOf(b).join('\n')).toMatch(/boards\/x.json: valvePolarity: active-low valves are refused with StandardFirmata/);
  });

  it('refuses a baud StandardFirmata does not use', () => {
    const b = uno();
    (b.firmata as Record<string, unknown>).baud = 115200;
    expect(problemsOf(b).join('\n')).toMatch(/firmata.baud: StandardFirmata talks at 57600 baud only/);
  });

  it('catches an analog pin used by a transducer and a digital channel', () => {
    const b = uno();
    b.pins.buzzer = 'A0';
    expect(problemsOf(b).join('\n')).toMatch(/pressure.supply.pin: pin "A0" is used twice \(also pins.buzzer\)/);
  });

  it('names an unknown channel and its value', () => {
    const b = uno();
    b.pins.valve3 = 4;
    expect(problemsOf(b).join('\n')).toMatch(/boards\/x.json: pins.valve3: unknown channel .*\(got 4\)/);
  });

  it('names a missing channel', () => {
    const b = uno();
    delete b.pins.estop;
    expect(problemsOf(b).join('\n')).toMatch(/boards\/x.json: pins.estop: missing channel/);
  });

  it.each([
    [0, /pins.start: pin 0 pins 0 and 1 carry the USB serial link/],
    [14, /pins.start: pin 14 must be an Uno pin 2-13/],
    ['GPIO17', /pins.start: pin "GPIO17" must be an Uno pin/],
  ])('refuses Uno pin %j', (pin, message) => {
    const b = uno();
    b.pins.start = pin;
    expect(problemsOf(b).join('\n')).toMatch(message);
  });

  it('refuses a valve on pin 13, which blinks during the bootloader', () => {
    const b = uno();
    b.pins.lampLow = 'A3';
    b.pins.supplyValve = 13;
    expect(problemsOf(b).join('\n')).toMatch(/pins.supplyValve: pin 13 blinks/);
  });

  it('refuses minV not below maxV, naming the field', () => {
    const b = uno();
    b.pressure.supply!.minV = 4.5;
    expect(problemsOf(b).join('\n')).toMatch(/pressure.supply.minV: must be below maxV \(4.5\)/);
  });

  it('refuses a span that reaches into the rail margin', () => {
    const b = uno();
    b.pressure.supply!.minV = 0.1;
    expect(problemsOf(b).join('\n')).toMatch(/pressure.supply.railMarginV:/);
  });

  it('names an out-of-range value with the value', () => {
    const b = uno();
    (b.buttons as Record<string, unknown>).debounceMs = 5000;
    expect(problemsOf(b).join('\n')).toMatch(/boards\/x.json: buttons.debounceMs: .*\(got 5000\)/);
  });

  it('refuses an unknown back-end', () => {
    expect(problemsOf({ name: 'x', backend: 'arduino' }).join('\n')).toMatch(/backend: unknown back-end "arduino"/);
  });

  it('names the file whose JSON is broken', () => {
    const file = tmpFile('broken.json', '{ "name": ');
    const [result] = checkBoardFiles([file]);
    expect(result!.ok).toBe(false);
    expect(result!.problems[0]).toContain(`${file}: not valid JSON`);
  });
});

function cli(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  let code = -1;
  const program = new Command().exitOverride();
  registerBoards(program, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) }, (c) => {
    code = c;
  });
  program.parse(args, { from: 'user' });
  return { code, out, err };
}

describe('cryo boards check', () => {
  it('exits 0 when every file is valid', () => {
    const r = cli(['boards', 'check', ...SHIPPED]);
    expect(r.code).toBe(0);
    for (const file of SHIPPED) expect(r.out).toContain(`${file}: ok`);
  });

  it('exits 1 and names file, field and value for a bad file', () => {
    const b = uno();
    b.pins.lampLow = 9;
    const file = tmpFile('dup.json', JSON.stringify(b));
    const r = cli(['boards', 'check', 'boards/sim.json', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: pins.lampLow: pin 9 is used twice (also pins.heartbeat)`);
  });

  it('prints one JSON object with --json', () => {
    const r = cli(['boards', 'check', '--json', 'boards/sim.json', '/nonexistent/board.json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { files: { file: string; ok: boolean; problems: string[] }[] };
    expect(json.files.map((f) => [f.file, f.ok])).toEqual([
      ['boards/sim.json', true],
      ['/nonexistent/board.json', false],
    ]);
    expect(json.files[1]!.problems[0]).toMatch(/^\/nonexistent\/board.json: cannot read board file/);
  });
});
