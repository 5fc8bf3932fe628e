// A number too large for a double (1e400) is Infinity after JSON.parse. JSON has no Infinity, so
// an error that showed the refused value with JSON.stringify said "(got null)": a value the file
// never held. Each loader is driven with the file's own text, as `cryo run` reads it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCalibrationRecord } from '../calibration/record.js';
import { readCalibration, writeCalibration } from '../calibration/store.js';
import { valueText } from '../kernel/config-error.js';
import { BoardError, loadAnyBoardFile } from '../src/board.js';
import { loadSettingsFile } from '../src/runtime/settings-file.js';
import { encodePayload, parseCommand } from '../src/telemetry/sparkplug.js';
import { METRICS } from '../src/telemetry/metrics.js';
import { tempDirForFile } from './helpers/temp.js';
import { THREE_BATH_INPUT } from './helpers/calibration-inputs.js';

const dir = tempDirForFile('non-finite-');
let files = 0;

function fileWith(text: string): string {
  const file = path.join(dir, `file-${++files}.json`);
  fs.writeFileSync(file, text);
  return file;
}

function refusal(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
}

const unoText = (): string => fs.readFileSync('boards/arduino-uno.json', 'utf8');

describe('a refused value of 1e400 is shown as Infinity, not null', () => {
  it('in a settings file', () => {
    const file = fileWith('{ "protocol": { "cycles": 2, "freezeS": 1e400, "thawS": 45 } }');
    expect(refusal(() => loadSettingsFile(file))).toMatch(/: protocol\.freezeS: .* \(got Infinity\)$/m);
  });

  it('in a settings file, negative', () => {
    const file = fileWith('{ "protocol": { "cycles": 2, "freezeS": -1e400, "thawS": 45 } }');
    expect(refusal(() => loadSettingsFile(file))).toMatch(/: protocol\.freezeS: .* \(got -Infinity\)$/m);
  });

  it("in a settings file's telemetry block", () => {
    const file = fileWith('{ "telemetry": { "rateHz": 1e400 } }');
    expect(refusal(() => loadSettingsFile(file))).toMatch(/: telemetry\.rateHz: .* \(got Infinity\)$/m);
  });

  it('in a board file', () => {
    const text = unoText().replace('"debounceMs": 20', '"debounceMs": 1e400');
    expect(text).toContain('1e400');
    const message = refusal(() => loadAnyBoardFile(fileWith(text)));
    expect(message).toMatch(/: buttons\.debounceMs: .* \(got Infinity\)$/m);
  });

  it("in a board file's back-end", () => {
    const text = unoText().replace('"backend": "hardware"', '"backend": 1e400');
    expect(text).toContain('1e400');
    let caught: unknown;
    try {
      loadAnyBoardFile(fileWith(text));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BoardError);
    expect((caught as Error).message).toMatch(/: backend: unknown back-end Infinity \(/);
  });

  it('in a calibration record', () => {
    const dataDir = path.join(dir, 'data');
    const record = buildCalibrationRecord(THREE_BATH_INPUT);
    const file = writeCalibration(dataDir, record);
    const text = fs.readFileSync(file, 'utf8').replace(/"rawC": ?0\.31/, '"rawC": 1e400');
    expect(text).toContain('1e400');
    fs.writeFileSync(file, text);
    expect(refusal(() => readCalibration(dataDir, 'P-0001'))).toMatch(/points\.0\.rawC: .* \(got Infinity\)$/m);
  });

  it('in a telemetry command (a Double metric where Boolean true is wanted)', () => {
    const r = parseCommand(encodePayload([{ name: METRICS.commandStop.name, type: 'Double', value: Infinity, timestamp: 5 }], 1, 0));
    if (r.ok) throw new Error('expected the command to be refused');
    expect(r.start).toBe(false);
    expect(r.reason).toMatch(/must be Boolean true \(got Double Infinity\)$/);
  });
});

describe('valueText', () => {
  it('writes a value as JSON text', () => {
    expect(valueText({ a: [1, 'x', null], b: true })).toBe('{"a":[1,"x",null],"b":true}');
    expect(valueText('a"b')).toBe('"a\\"b"');
    expect(valueText(undefined)).toBe('undefined');
  });

  it('writes a non-finite number as JavaScript does, nested ones too', () => {
    expect(valueText(Number.NaN)).toBe('NaN');
    expect(valueText({ a: [1, Infinity, -Infinity], b: Number.NaN, c: null })).toBe('{"a":[1,Infinity,-Infinity],"b":NaN,"c":null}');
  });

  it('leaves a string that looks like its own marker as the string it is', () => {
    expect(valueText(['~non-finite~Infinity', Infinity])).toBe('["~non-finite~Infinity",Infinity]');
  });
});
