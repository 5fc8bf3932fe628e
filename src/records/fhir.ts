// A treatment as an HL7 FHIR R4 Bundle (type collection): one Procedure, the probe and the
// console as Devices, and one Observation per freeze-thaw cycle. A pure function of the record:
// the resources' ids are UUIDs derived from the console id, the treatment id and the resource's
// role, so exporting the same treatment twice gives the same bundle. The mapping, field by field,
// is in docs/records-cli.md. No patient name ever leaves: the subject is the pseudonymous
// reference as an identifier, or a display saying none was recorded.
import { createHash } from 'node:crypto';
import { findNerve } from './nerves.js';
import { recordedSchemaText } from './recorded-schema.js';
import type { CycleRow, TreatmentOutcome, TreatmentRecord } from './types.js';

export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';
const DATA_ABSENT = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';
/** SNOMED CT 26782000 "Cryotherapy": the nearest concept (none is specific to cryoneurolysis). */
export const CRYOTHERAPY = { system: SNOMED, code: '26782000', display: 'Cryotherapy' } as const;
/** SNOMED CT laterality qualifiers. */
export const LATERALITY = {
  left: { system: SNOMED, code: '7771000', display: 'Left' },
  right: { system: SNOMED, code: '24028007', display: 'Right' },
} as const;
/** The project's own systems (URNs: no web address is claimed for them). */
export const SYSTEMS = {
  nerve: 'urn:cryo:nerve-catalog',
  laterality: 'urn:cryo:fhir:laterality',
  patientRef: 'urn:cryo:patient-ref',
  operatorId: 'urn:cryo:operator-id',
  probeId: 'urn:cryo:probe-id',
  deviceProperty: 'urn:cryo:device-property',
  cycleMeasure: 'urn:cryo:cycle-measure',
} as const;

/** Procedure.status (R4 EventStatus) per outcome: a treatment that began and ended early for any
 * reason is `stopped` ("terminated prior to the full completion ... after having been initiated");
 * `not-done` would say it never began, and `entered-in-error` that the record is wrong. A
 * treatment still open when exported is `in-progress`. */
export const PROCEDURE_STATUS = {
  complete: 'completed',
  stopped: 'stopped',
  fault: 'stopped',
  interrupted: 'stopped',
} as const satisfies Record<TreatmentOutcome, string>;

type Json = Record<string, unknown>;

/** A UUID (version 5 layout) from a SHA-1 of `name`: stable ids for a pure export. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const iso = (epochMs: number): string => new Date(epochMs).toISOString();

function subjectOf(record: TreatmentRecord): Json {
  const ref = record.start.patientRef;
  return ref === null ? { display: 'no patient reference recorded' } : { type: 'Patient', identifier: { system: SYSTEMS.patientRef, value: ref } };
}

function bodySiteOf(record: TreatmentRecord): Json[] | undefined {
  const target = record.start.target;
  if (target === null) return undefined;
  const nerve = findNerve(target.nerveId);
  // No SNOMED body-structure code is claimed for any nerve (src/records/nerves.ts): the catalog id
  // under the project's system, the text, and the side as an extension with SNOMED's qualifier.
  return [
    {
      extension: [{ url: SYSTEMS.laterality, valueCodeableConcept: { coding: [LATERALITY[target.side]] } }],
      coding: [{ system: SYSTEMS.nerve, code: target.nerveId, ...(nerve === undefined ? {} : { display: nerve.name }) }],
      text: `${target.side} ${nerve?.bodySiteText ?? target.nerveId}`,
    },
  ];
}

function property(name: string, value: string): Json {
  return { type: { coding: [{ system: SYSTEMS.deviceProperty, code: name }] }, valueCode: [{ text: value }] };
}

function probeDevice(record: TreatmentRecord, id: string): Json {
  const { probeId, calibrationId, calibrationChecksum } = record.start.probe;
  return {
    resourceType: 'Device',
    id,
    ...(probeId === null ? {} : { identifier: [{ system: SYSTEMS.probeId, value: probeId }] }),
    deviceName: [{ name: probeId === null ? 'cryoneurolysis probe (id not recorded)' : `cryoneurolysis probe ${probeId}`, type: 'user-friendly-name' }],
    property: [property('calibration-record-id', calibrationId ?? 'none'), property('calibration-checksum-sha256', calibrationChecksum ?? 'none')],
  };
}

function consoleDevice(record: TreatmentRecord, id: string): Json {
  const c = record.start.console;
  return {
    resourceType: 'Device',
    id,
    identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${c.consoleId}` }],
    deviceName: [{ name: 'CO2 cryoneurolysis console', type: 'user-friendly-name' }],
    version: [{ value: c.softwareVersion }],
    property: [property('board-name', c.boardName), property('board-sha256', c.boardSha256), property('settings-sha256', record.start.settingsSha256)],
  };
}

function outcomeNote(record: TreatmentRecord): string {
  const end = record.end;
  const seal = record.sealSha256 === null ? 'not sealed' : `record seal sha256 ${record.sealSha256}`;
  const schema = `records schema ${recordedSchemaText(record.schemaVersion)}`;
  if (end === null) return `Treatment still open when exported; ${seal}; ${schema}.`;
  return `Outcome: ${end.outcome}; ${end.cycles.length} cycle(s); supply open ${(end.frozenMs / 1000).toFixed(1)} s; samples dropped ${end.samplesDropped}; ${seal}; ${schema}.`;
}

function procedure(record: TreatmentRecord, ids: BundleIds): Json {
  const end = record.end;
  const status = end === null ? 'in-progress' : PROCEDURE_STATUS[end.outcome];
  const bodySite = bodySiteOf(record);
  const operator = record.start.operatorId;
  return {
    resourceType: 'Procedure',
    id: ids.procedure,
    identifier: [{ system: `urn:uuid:${record.start.console.consoleId}`, value: String(record.id) }],
    status,
    ...(end !== null && end.outcome !== 'complete' ? { statusReason: { text: `treatment ${end.outcome}` } } : {}),
    code: { coding: [CRYOTHERAPY], text: 'Cryoneurolysis (CO2)' },
    subject: subjectOf(record),
    performedPeriod: { start: iso(record.start.startedAtEpochMs), ...(end === null ? {} : { end: iso(end.endedAtEpochMs) }) },
    ...(operator === null ? {} : { performer: [{ actor: { identifier: { system: SYSTEMS.operatorId, value: operator } } }] }),
    ...(bodySite === undefined ? {} : { bodySite }),
    note: [{ text: outcomeNote(record) }],
    focalDevice: [{ manipulated: { reference: `urn:uuid:${ids.probe}` } }],
    usedReference: [{ reference: `urn:uuid:${ids.console}` }],
  };
}

interface Measure {
  readonly code: string;
  readonly text: string;
  readonly value: number | null;
  readonly unit: 'Cel' | 's' | 'mm';
  readonly absent: string;
}

/** Why a verdict's figures are absent: the cycle has no verdict (a record from before schema 3, or
 * a freeze the process did not live to judge). */
const NO_VERDICT = 'no efficacy verdict recorded for this freeze';

function measures(c: CycleRow): Measure[] {
  return [
    { code: 'min-tip-temperature', text: 'minimum tip temperature', value: c.minTipC, unit: 'Cel', absent: 'no valid tip reading in the cycle' },
    { code: 'freeze-time', text: 'freeze time', value: c.freezeS, unit: 's', absent: '' },
    { code: 'thaw-time', text: 'thaw time', value: c.thawS, unit: 's', absent: '' },
    { code: 'seconds-to-minus-50C', text: 'time from freeze start to tip at -50 C', value: c.secondsToMinus50C, unit: 's', absent: 'the tip did not reach -50 C' },
    { code: 'time-below-minus-20C', text: 'time with the tip below -20 C', value: c.belowMinus20S, unit: 's', absent: '' },
    { code: 'time-below-minus-40C', text: 'time with the tip below -40 C', value: c.belowMinus40S, unit: 's', absent: '' },
    // The live ice-ball estimate: a model of nominal tissue driven by the measured tip, not a
    // measurement (docs/tissue-model.md); the text says so, for a reader without our docs.
    {
      code: 'ice-ball-r-minus-20C-at-end',
      text: 'estimated radius of the -20 C isotherm at the end of the freeze (model estimate, not a measurement)',
      value: c.verdict?.r20MmAtEnd ?? null,
      unit: 'mm',
      absent: c.verdict === null ? NO_VERDICT : 'the ice-ball estimate was not running (tip reading not trusted)',
    },
    { code: 'ice-ball-r-minus-20C-target', text: 'target radius of the -20 C isotherm the freeze was judged against', value: c.verdict?.targetMm ?? null, unit: 'mm', absent: NO_VERDICT },
  ];
}

/** Whether the estimated -20 C isotherm reached the target: a boolean component. */
function effectiveComponent(c: CycleRow): Json {
  const code = { coding: [{ system: SYSTEMS.cycleMeasure, code: 'freeze-effective' }], text: 'freeze judged effective: the estimated -20 C isotherm reached the target radius (model estimate)' };
  if (c.verdict === null) return { code, dataAbsentReason: { coding: [{ system: DATA_ABSENT, code: 'unknown' }], text: NO_VERDICT } };
  return { code, valueBoolean: c.verdict.effective };
}

function component(m: Measure): Json {
  const code = { coding: [{ system: SYSTEMS.cycleMeasure, code: m.code }], text: m.text };
  if (m.value === null) return { code, dataAbsentReason: { coding: [{ system: DATA_ABSENT, code: 'unknown' }], text: m.absent } };
  return { code, valueQuantity: { value: m.value, unit: m.unit === 'Cel' ? 'C' : m.unit, system: UCUM, code: m.unit } };
}

function cycleObservation(record: TreatmentRecord, c: CycleRow, id: string, ids: BundleIds): Json {
  return {
    resourceType: 'Observation',
    id,
    status: record.end === null ? 'preliminary' : 'final',
    partOf: [{ reference: `urn:uuid:${ids.procedure}` }],
    code: { coding: [{ system: SYSTEMS.cycleMeasure, code: 'freeze-thaw-cycle' }], text: `cryoneurolysis freeze-thaw cycle ${c.index}` },
    subject: subjectOf(record),
    // The probe that froze: the measurements are its tip thermocouple's.
    device: { reference: `urn:uuid:${ids.probe}` },
    component: [...measures(c).map(component), effectiveComponent(c)],
  };
}

interface BundleIds {
  readonly bundle: string;
  readonly procedure: string;
  readonly probe: string;
  readonly console: string;
}

export function treatmentBundle(record: TreatmentRecord): Json {
  const key = `${record.start.console.consoleId}/treatment/${record.id}`;
  const ids: BundleIds = {
    bundle: stableUuid(`${key}/bundle`),
    procedure: stableUuid(`${key}/procedure`),
    probe: stableUuid(`${key}/probe`),
    console: stableUuid(`${key}/console`),
  };
  const resources: Json[] = [
    procedure(record, ids),
    probeDevice(record, ids.probe),
    consoleDevice(record, ids.console),
    ...record.cycles.map((c) => cycleObservation(record, c, stableUuid(`${key}/cycle/${c.index}`), ids)),
  ];
  return {
    resourceType: 'Bundle',
    id: ids.bundle,
    type: 'collection',
    timestamp: iso(record.end?.endedAtEpochMs ?? record.start.startedAtEpochMs),
    entry: resources.map((r) => ({ fullUrl: `urn:uuid:${String(r.id)}`, resource: r })),
  };
}

export function fhirJson(record: TreatmentRecord): string {
  return `${JSON.stringify(treatmentBundle(record), null, 2)}\n`;
}
