import { describe, expect, it } from 'vitest';
import { CRYOTHERAPY, fhirJson, LATERALITY, PROCEDURE_STATUS, stableUuid, SYSTEMS, treatmentBundle } from '../src/records/fhir.js';
import type { TreatmentRecord } from '../src/records/types.js';
import { r4Problems } from './helpers/fhir-r4-shape.js';
import { completeRecord, interruptedRecord, withPatientRef } from './helpers/records-fixtures.js';

type Json = Record<string, unknown>;

/** The value at a dotted path (`code.coding.0.code`), or undefined. */
function get(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Json)[key] : undefined), value);
}
const list = (value: unknown, path: string): Json[] => get(value, path) as Json[];

function resources(bundle: Json): Json[] {
  return list(bundle, 'entry').map((e) => e.resource as Json);
}
const ofType = (bundle: Json, type: string): Json[] => resources(bundle).filter((r) => r.resourceType === type);
const openRecord = (): TreatmentRecord => ({ ...completeRecord(), end: null, sealSha256: null });

describe('the R4 shape check itself', () => {
  it('finds a missing required element, an unknown element, a wrong array and a bad primitive', () => {
    const problems = r4Problems({ resourceType: 'Procedure', subject: { display: 'x' }, bodysite: [], note: { text: 'x' }, performedPeriod: { start: '2026-3-1' } }, 'Resource');
    expect(problems).toEqual([
      'Procedure.status: required (1..1) but missing',
      'Procedure.bodysite: not an element of R4 Procedure',
      'Procedure.note: must be a non-empty array',
      'Procedure.performedPeriod.start: "2026-3-1" is not a valid dateTime',
    ]);
  });
});

describe('treatmentBundle', () => {
  it.each([
    ['complete', completeRecord()],
    ['interrupted', interruptedRecord()],
    ['open', openRecord()],
  ])('has the R4 shape for a %s treatment', (_name, record) => {
    expect(r4Problems(treatmentBundle(record), 'Resource')).toEqual([]);
  });

  it('is a collection of the Procedure, the probe and the console, and one Observation per cycle', () => {
    const bundle = treatmentBundle(completeRecord());
    expect(bundle.type).toBe('collection');
    expect(resources(bundle).map((r) => r.resourceType)).toEqual(['Procedure', 'Device', 'Device', 'Observation', 'Observation']);
  });

  it('resolves every reference to an entry of the bundle', () => {
    const bundle = treatmentBundle(completeRecord());
    const fullUrls = new Set(list(bundle, 'entry').map((e) => e.fullUrl as string));
    const references = JSON.stringify(bundle).match(/"reference":"[^"]+"/g) ?? [];
    expect(references.length).toBeGreaterThan(4);
    for (const r of references) expect(fullUrls.has(r.slice('"reference":"'.length, -1))).toBe(true);
  });

  it('gives the same bundle for the same treatment (ids derived, no clock read)', () => {
    expect(fhirJson(completeRecord())).toBe(fhirJson(completeRecord()));
    expect(stableUuid('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('a')).not.toBe(stableUuid('b'));
  });
});

describe('the Procedure', () => {
  it('is Cryotherapy (SNOMED 26782000), performed over the treatment, completed when complete', () => {
    const record = completeRecord();
    const [proc] = ofType(treatmentBundle(record), 'Procedure');
    expect(get(proc, 'code.coding')).toEqual([{ system: 'http://snomed.info/sct', code: '26782000', display: 'Cryotherapy' }]);
    expect(proc?.status).toBe('completed');
    expect(proc?.statusReason).toBeUndefined();
    expect(proc?.performedPeriod).toEqual({ start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T09:03:10.000Z' });
    expect(proc?.identifier).toEqual([{ system: `urn:uuid:${record.start.console.consoleId}`, value: '7' }]);
  });

  it.each([
    ['stopped', 'stopped'],
    ['fault', 'stopped'],
    ['interrupted', 'stopped'],
  ] as const)('is %s -> %s with the outcome as its status reason', (outcome, status) => {
    const base = completeRecord();
    const record: TreatmentRecord = { ...base, end: { ...base.end!, outcome } };
    const [proc] = ofType(treatmentBundle(record), 'Procedure');
    expect(PROCEDURE_STATUS[outcome]).toBe(status);
    expect(proc?.status).toBe(status);
    expect(proc?.statusReason).toEqual({ text: `treatment ${outcome}` });
    expect(get(proc, 'note.0.text')).toContain(`Outcome: ${outcome}`);
  });

  it('is in progress, without an end, while the treatment is open', () => {
    const [proc] = ofType(treatmentBundle(openRecord()), 'Procedure');
    expect(proc?.status).toBe('in-progress');
    expect(proc?.performedPeriod).toEqual({ start: '2026-03-02T09:00:00.000Z' });
  });

  it('names the target nerve and its side as the body site', () => {
    const [proc] = ofType(treatmentBundle(completeRecord()), 'Procedure');
    expect(proc?.bodySite).toEqual([
      {
        extension: [{ url: SYSTEMS.laterality, valueCodeableConcept: { coding: [LATERALITY.left] } }],
        coding: [{ system: SYSTEMS.nerve, code: 'infrapatellar-saphenous', display: 'Infrapatellar branch of the saphenous nerve' }],
        text: 'left infrapatellar branch of saphenous nerve',
      },
    ]);
    expect(LATERALITY.left.code).toBe('7771000');
    expect(LATERALITY.right.code).toBe('24028007');
  });

  it('has no body site when no target was recorded', () => {
    const base = completeRecord();
    const [proc] = ofType(treatmentBundle({ ...base, start: { ...base.start, target: null } }), 'Procedure');
    expect(proc && 'bodySite' in proc).toBe(false);
  });

  it('points its focal device at the probe, with the calibration record id and checksum', () => {
    const bundle = treatmentBundle(completeRecord());
    const [proc] = ofType(bundle, 'Procedure');
    const probe = resources(bundle).find((r) => `urn:uuid:${String(r.id)}` === get(proc, 'focalDevice.0.manipulated.reference'));
    expect(probe?.identifier).toEqual([{ system: SYSTEMS.probeId, value: 'P-0001' }]);
    const props = Object.fromEntries(list(probe, 'property').map((p): [string, unknown] => [String(get(p, 'type.coding.0.code')), get(p, 'valueCode.0.text')]));
    expect(props).toEqual({ 'calibration-record-id': 'cal-2026-02-11-P-0001', 'calibration-checksum-sha256': 'c'.repeat(64) });
  });

  it('uses the console as a device with its software version and board hash', () => {
    const bundle = treatmentBundle(completeRecord());
    const [proc] = ofType(bundle, 'Procedure');
    const console = resources(bundle).find((r) => `urn:uuid:${String(r.id)}` === get(proc, 'usedReference.0.reference'));
    expect(console?.version).toEqual([{ value: '0.1.0' }]);
    expect(JSON.stringify(console?.property)).toContain('a'.repeat(64));
  });
});

describe('the patient', () => {
  it('is only the pseudonymous reference, as an identifier; no Patient resource, no name', () => {
    const bundle = treatmentBundle(completeRecord());
    expect(ofType(bundle, 'Patient')).toEqual([]);
    for (const r of [...ofType(bundle, 'Procedure'), ...ofType(bundle, 'Observation')]) {
      expect(r.subject).toEqual({ type: 'Patient', identifier: { system: SYSTEMS.patientRef, value: 'KN-2026-0042' } });
    }
  });

  it('is a display saying none was recorded when there is no reference', () => {
    const [proc] = ofType(treatmentBundle(withPatientRef(completeRecord(), null)), 'Procedure');
    expect(proc?.subject).toEqual({ display: 'no patient reference recorded' });
  });
});

describe('the cycle Observations', () => {
  it('are part of the Procedure and carry each measure with UCUM units', () => {
    const record = completeRecord();
    const bundle = treatmentBundle(record);
    const procUrl = `urn:uuid:${String(ofType(bundle, 'Procedure')[0]?.id)}`;
    const observations = ofType(bundle, 'Observation');
    expect(observations).toHaveLength(2);
    for (const [i, obs] of observations.entries()) {
      const cycle = record.cycles[i]!;
      expect(obs.partOf).toEqual([{ reference: procUrl }]);
      expect(obs.status).toBe('final');
      const byCode = Object.fromEntries(list(obs, 'component').map((c): [string, unknown] => [String(get(c, 'code.coding.0.code')), c.valueQuantity]));
      expect(byCode['min-tip-temperature']).toEqual({ value: cycle.minTipC, unit: 'C', system: 'http://unitsofmeasure.org', code: 'Cel' });
      expect(byCode['freeze-time']).toEqual({ value: cycle.freezeS, unit: 's', system: 'http://unitsofmeasure.org', code: 's' });
      expect(get(byCode['seconds-to-minus-50C'], 'value')).toBe(cycle.secondsToMinus50C);
      expect(get(byCode['time-below-minus-20C'], 'value')).toBe(cycle.belowMinus20S);
      expect(get(byCode['time-below-minus-40C'], 'value')).toBe(cycle.belowMinus40S);
    }
  });

  it('say why a value is absent instead of inventing one', () => {
    const base = completeRecord();
    const record: TreatmentRecord = { ...base, cycles: [{ ...base.cycles[0]!, secondsToMinus50C: null, minTipC: null }] };
    const [obs] = ofType(treatmentBundle(record), 'Observation');
    const absent = list(obs, 'component').filter((c) => 'dataAbsentReason' in c);
    expect(absent.map((c) => [get(c, 'code.coding.0.code'), get(c, 'dataAbsentReason.text')])).toEqual([
      ['min-tip-temperature', 'no valid tip reading in the cycle'],
      ['seconds-to-minus-50C', 'the tip did not reach -50 C'],
    ]);
    expect(r4Problems(treatmentBundle(record), 'Resource')).toEqual([]);
  });

  it("carry each freeze's verdict: the estimated r(-20 C) at its end and its target in mm, labelled a model estimate, and effective as a boolean", () => {
    const record = completeRecord();
    const observations = ofType(treatmentBundle(record), 'Observation');
    const verdicts = observations.map((obs) => {
      const byCode = Object.fromEntries(list(obs, 'component').map((c): [string, Record<string, unknown>] => [String(get(c, 'code.coding.0.code')), c]));
      return [byCode['ice-ball-r-minus-20C-at-end']?.valueQuantity, get(byCode['ice-ball-r-minus-20C-target'], 'valueQuantity.value'), byCode['freeze-effective']?.valueBoolean, get(byCode['ice-ball-r-minus-20C-at-end'], 'code.text')];
    });
    expect(verdicts).toEqual([
      [{ value: 2.25, unit: 'mm', system: 'http://unitsofmeasure.org', code: 'mm' }, 2, true, expect.stringContaining('model estimate, not a measurement')],
      [{ value: 1.75, unit: 'mm', system: 'http://unitsofmeasure.org', code: 'mm' }, 2, false, expect.stringContaining('model estimate, not a measurement')],
    ]);
    expect(r4Problems(treatmentBundle(record), 'Resource')).toEqual([]);
  });

  it('say why a verdict is absent: none recorded, or the estimate was not running', () => {
    const base = completeRecord();
    const record: TreatmentRecord = { ...base, cycles: [{ ...base.cycles[0]!, verdict: null }, { ...base.cycles[1]!, verdict: { r20MmAtEnd: null, targetMm: 2, effective: false } }] };
    const [first, second] = ofType(treatmentBundle(record), 'Observation');
    const absent = (obs: typeof first) => list(obs, 'component').filter((c) => 'dataAbsentReason' in c).map((c) => [get(c, 'code.coding.0.code'), get(c, 'dataAbsentReason.text')]);
    expect(absent(first)).toEqual([
      ['ice-ball-r-minus-20C-at-end', 'no efficacy verdict recorded for this freeze'],
      ['ice-ball-r-minus-20C-target', 'no efficacy verdict recorded for this freeze'],
      ['freeze-effective', 'no efficacy verdict recorded for this freeze'],
    ]);
    expect(absent(second)).toEqual([['ice-ball-r-minus-20C-at-end', 'the ice-ball estimate was not running (tip reading not trusted)']]);
    expect(r4Problems(treatmentBundle(record), 'Resource')).toEqual([]);
  });

  it('are absent for a treatment with no completed cycle', () => {
    expect(ofType(treatmentBundle(interruptedRecord()), 'Observation')).toEqual([]);
  });

  it('keep the SNOMED code the domain names', () => {
    expect(CRYOTHERAPY.code).toBe('26782000');
  });
});
