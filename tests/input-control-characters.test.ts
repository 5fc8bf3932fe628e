// Control characters in an input that an error line echoes (a key of a settings, board or scenario
// file, a command-line argument, a file name in the calibrations folder) are printed as their
// escapes, never sent to the operator's terminal as they are: an ESC sequence there could clear
// the screen or hide the line that names the bad field, a newline could forge a second line.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '../calibration/procedure/answers.js';
import { formatList } from '../calibration/text.js';
import { printable, printableLines } from '../kernel/printable.js';
import { cryo } from './helpers/cli.js';
import { tempDirForFile } from './helpers/temp.js';

const dir = tempDirForFile('cryo-control-chars-');
const ESC = '\u001b';
/** Any C0 control but the newline that ends a line, DEL, a C1 control, a bidi override. */
// eslint-disable-next-line no-control-regex -- the characters that must not reach the terminal
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function file(name: string, json: string): string {
  const at = path.join(dir, name);
  fs.writeFileSync(at, json);
  return at;
}

describe('printable', () => {
  it('writes every control character as its JSON escape and leaves other text as it is', () => {
    expect(printable(`a${ESC}[2Jb\u0007c\u009bd\u202ee\nf\tg é ✓`)).toBe('a\\u001b[2Jb\\u0007c\\u009bd\\u202ee\\u000af\\u0009g é ✓');
  });

  it('keeps the newlines and tabs of a message of several lines', () => {
    expect(printableLines(`one ${ESC}[31m\ntwo\tx`)).toBe('one \\u001b[31m\ntwo\tx');
  });
});

describe('error lines that echo an input', () => {
  it('a settings file with an unknown key holding an ESC sequence names the key escaped', async () => {
    const settings = file('ansi-key.json', JSON.stringify({ [`${ESC}[2J${ESC}]0;owned\u0007x`]: 1 }));
    const r = await cryo(['simulate', '--settings', settings, '--json']);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(RAW_CONTROL);
    expect(r.err).toContain('Unrecognized key: "\\u001b[2J\\u001b]0;owned\\u0007x"');
  });

  it('a debounce for an unknown interlock whose name holds a newline stays one line', async () => {
    const settings = file('newline-key.json', JSON.stringify({ debounceMs: { [`X\ncryo: all good`]: 5 } }));
    const r = await cryo(['simulate', '--settings', settings, '--json']);
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain("debounceMs.X\\u000acryo: all good: unknown interlock 'X\\u000acryo: all good'");
  });

  it('a duplicated key holding an ESC sequence is named escaped', async () => {
    const settings = file('dup-key.json', `{"\\u001b[31mk": 1, "\\u001b[31mk": 2}`);
    const r = await cryo(['simulate', '--settings', settings, '--json']);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(RAW_CONTROL);
    expect(r.err).toContain("key '\\u001b[31mk' appears twice");
  });

  it('boards check names an unknown pin channel holding an ESC sequence escaped', async () => {
    const uno = JSON.parse(fs.readFileSync('boards/arduino-uno.json', 'utf8')) as { pins: Record<string, unknown> };
    uno.pins[`${ESC}[2Jled`] = 0;
    const board = file('ansi-pin.json', JSON.stringify(uno));
    const r = await cryo(['boards', 'check', board]);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(RAW_CONTROL);
    expect(r.err).toContain('pins.\\u001b[2Jled: unknown channel');
  });

  it('a preset name given on the command line with an ESC sequence is echoed escaped', async () => {
    const r = await cryo(['simulate', '--preset', `${ESC}[2Jstandard`]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("cryo: --preset: unknown preset '\\u001b[2Jstandard' (known: standard, percutaneous, cervical)\n");
  });

  it('calibration list shows a file name holding an ESC sequence escaped', () => {
    const text = formatList([{ probeId: `${ESC}[31mEVIL`, path: 'x', status: 'corrupt', reason: `file name: '${ESC}[31mEVIL' is not a valid probe id` }], dir);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain("\\u001b[31mEVIL  -     -      -              -        corrupt: file name: '\\u001b[31mEVIL' is not a valid probe id");
  });
});

describe('free text for a calibration record (who calibrated, the thermometer id)', () => {
  it.each([
    ['a C1 CSI (a terminal takes U+009B as ESC [)', 'A. Engineer\u009b2J'],
    ['a right-to-left override', 'A. \u202ereenignE'],
    ['an ESC sequence', `A. ${ESC}[31mEngineer`],
  ])('refuses %s, as the guide promises text with no control characters', (_what, answer) => {
    expect(parseText(answer, 'your name')).toEqual({ ok: false, message: 'your name must not contain control characters' });
  });

  it('takes a name in any script', () => {
    expect(parseText('  Zoë Ångström 張偉 ', 'your name')).toEqual({ ok: true, value: 'Zoë Ångström 張偉' });
  });
});
