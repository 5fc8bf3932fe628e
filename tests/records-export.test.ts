import { describe, expect, it } from 'vitest';
import { csvField, cyclesCsv, eventsCsv, recordCsv, recordJson, samplesCsv } from '../src/records/export.js';
import type { TreatmentRecord } from '../src/records/types.js';
import { completeRecord, interruptedRecord } from './helpers/records-fixtures.js';

/** An RFC 4180 reader written for the test, independent of the writer: rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field, 'text after the last line end').toBe('');
  return rows;
}

describe('csvField', () => {
  it('quotes a comma, a quote and a newline, doubling the quote', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('plain')).toBe('plain');
  });

  it('round-trips awkward text through an RFC 4180 reader', () => {
    const texts = ['KN-1, "the" patient\r\nline two', '"', ',', '', 'x""y'];
    const line = texts.map(csvField).join(',') + '\r\n';
    expect(parseCsv(line)).toEqual([texts]);
  });

  it('writes null as empty, booleans as 1 and 0, numbers in full precision', () => {
    expect([null, true, false, -78.54293012376382, 0].map(csvField)).toEqual(['', '1', '0', '-78.54293012376382', '0']);
  });

  it('defuses a text cell a spreadsheet would run as a formula, never a number', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-5)).toBe('-5');
  });
});

describe('samplesCsv', () => {
  const record = completeRecord();
  const rows = parseCsv(samplesCsv(record));

  it('has a header with units in the names and one column per tip channel', () => {
    expect(rows[0]).toEqual(['tMs', 'phase', 'tip0C', 'tip1C', 'supplyBarGauge', 'returnBarAbs', 'supplyValveOpen', 'safetyValveOpen']);
  });

  it('has one row per sample, in order, with every value as recorded', () => {
    expect(rows).toHaveLength(record.samples.length + 1);
    const s = record.samples[700]!;
    expect(rows[701]).toEqual([String(s.tMs), s.phase, String(s.tipC[0]), String(s.tipC[1]), String(s.supplyBarGauge), String(s.returnBarAbs), s.supplyValveOpen ? '1' : '0', s.safetyValveOpen ? '1' : '0']);
  });

  it('leaves a missing reading empty', () => {
    const dropout = rows.find((r) => r[0] === '20100');
    expect(dropout?.[3]).toBe('');
    expect(dropout?.[2]).not.toBe('');
  });

  it('has a single tip column for a one-channel probe', () => {
    expect(parseCsv(samplesCsv(interruptedRecord()))[0]).toEqual(['tMs', 'phase', 'tip0C', 'supplyBarGauge', 'returnBarAbs', 'supplyValveOpen', 'safetyValveOpen']);
  });

  it('pads a sample with fewer channels than the widest with empty cells', () => {
    const base = completeRecord();
    const first = base.samples[0]!;
    const ragged: TreatmentRecord = { ...base, samples: [{ ...first, tipC: [1] }, { ...first, tMs: 100, tipC: [1, 2, 3] }] };
    const parsed = parseCsv(samplesCsv(ragged));
    expect(parsed[0]?.slice(2, 5)).toEqual(['tip0C', 'tip1C', 'tip2C']);
    expect(parsed[1]?.slice(2, 5)).toEqual(['1', '', '']);
  });
});

describe('cyclesCsv and eventsCsv', () => {
  it('writes one row per cycle with the documented columns', () => {
    const record = completeRecord();
    const rows = parseCsv(cyclesCsv(record));
    expect(rows[0]).toEqual(['index', 'freezeS', 'thawS', 'minTipC', 'secondsToMinus50C', 'belowMinus20S', 'belowMinus40S', 'r20MmAtEnd', 'r20TargetMm', 'effective']);
    expect(rows).toHaveLength(3);
    const c = record.cycles[1]!;
    expect(rows[2]).toEqual([c.index, c.freezeS, c.thawS, c.minTipC, c.secondsToMinus50C, c.belowMinus20S, c.belowMinus40S, 1.75, 2, 0].map((v) => String(v)));
    expect(rows[1]?.slice(7)).toEqual(['2.25', '2', '1']);
  });

  it("leaves a cycle's verdict cells empty when it has none, and r(-20 C) alone when the estimate was not running", () => {
    const base = completeRecord();
    const record = { ...base, cycles: [{ ...base.cycles[0]!, verdict: null }, { ...base.cycles[1]!, verdict: { r20MmAtEnd: null, targetMm: 2, effective: false } }] };
    const rows = parseCsv(cyclesCsv(record));
    expect(rows[1]?.slice(7)).toEqual(['', '', '']);
    expect(rows[2]?.slice(7)).toEqual(['', '2', '0']);
  });

  it('keeps an event detail with a comma, a quote and a newline whole, as JSON', () => {
    const base = completeRecord();
    const detail = { kind: 'refused', input: 'start', reason: 'site "A", already treated\nsecond line' };
    const record: TreatmentRecord = { ...base, events: [{ tMs: 5, kind: 'refused', detail }] };
    const rows = parseCsv(eventsCsv(record));
    expect(rows[0]).toEqual(['tMs', 'kind', 'detailJson']);
    expect(rows[1]?.[0]).toBe('5');
    expect(JSON.parse(rows[1]?.[2] ?? '')).toEqual(detail);
  });

  it('chooses the table by name', () => {
    const record = completeRecord();
    expect(recordCsv(record, 'samples')).toBe(samplesCsv(record));
    expect(recordCsv(record, 'cycles')).toBe(cyclesCsv(record));
    expect(recordCsv(record, 'events')).toBe(eventsCsv(record));
  });
});

describe('recordJson', () => {
  it('is the whole record, losslessly', () => {
    const record = completeRecord();
    expect(JSON.parse(recordJson(record))).toEqual(record);
  });
});
