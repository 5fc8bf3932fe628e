// A structural check of the FHIR R4 resources the treatment export writes, written from the R4
// specification's element tables (hl7.org/fhir/R4) for the resources and data types used: every
// key must be an R4 element of its type, required elements (1..1) present, arrays where the
// cardinality is 0..*, primitives of the right form. It is not the FHIR validator (which needs a
// network and a Java runtime): it does not check terminology bindings or invariants beyond these.

interface Field {
  readonly type: string;
  readonly required?: boolean;
  readonly array?: boolean;
}
type Spec = Readonly<Record<string, Field>>;

const f = (type: string, opts: { required?: boolean; array?: boolean } = {}): Field => ({ type, ...opts });
const ELEMENT: Spec = { id: f('string'), extension: f('Extension', { array: true }) };
const RESOURCE: Spec = { resourceType: f('string', { required: true }), id: f('id'), meta: f('Meta'), implicitRules: f('uri'), language: f('code') };
const DOMAIN: Spec = { ...RESOURCE, text: f('Narrative'), contained: f('Resource', { array: true }), extension: f('Extension', { array: true }), modifierExtension: f('Extension', { array: true }) };

export const R4: Readonly<Record<string, Spec>> = {
  Extension: { url: f('uri', { required: true }), valueCodeableConcept: f('CodeableConcept'), valueString: f('string') },
  Coding: { ...ELEMENT, system: f('uri'), version: f('string'), code: f('code'), display: f('string'), userSelected: f('boolean') },
  CodeableConcept: { ...ELEMENT, coding: f('Coding', { array: true }), text: f('string') },
  Identifier: { ...ELEMENT, use: f('code'), type: f('CodeableConcept'), system: f('uri'), value: f('string'), period: f('Period') },
  Reference: { ...ELEMENT, reference: f('string'), type: f('uri'), identifier: f('Identifier'), display: f('string') },
  Period: { ...ELEMENT, start: f('dateTime'), end: f('dateTime') },
  Quantity: { ...ELEMENT, value: f('decimal'), comparator: f('code'), unit: f('string'), system: f('uri'), code: f('code') },
  Annotation: { ...ELEMENT, authorString: f('string'), time: f('dateTime'), text: f('markdown', { required: true }) },
  Bundle: { ...RESOURCE, identifier: f('Identifier'), type: f('code', { required: true }), timestamp: f('instant'), total: f('unsignedInt'), entry: f('Bundle.entry', { array: true }) },
  'Bundle.entry': { ...ELEMENT, fullUrl: f('uri'), resource: f('Resource') },
  Procedure: {
    ...DOMAIN,
    identifier: f('Identifier', { array: true }),
    partOf: f('Reference', { array: true }),
    status: f('code', { required: true }),
    statusReason: f('CodeableConcept'),
    category: f('CodeableConcept'),
    code: f('CodeableConcept'),
    subject: f('Reference', { required: true }),
    performedPeriod: f('Period'),
    performedDateTime: f('dateTime'),
    performer: f('Procedure.performer', { array: true }),
    bodySite: f('CodeableConcept', { array: true }),
    outcome: f('CodeableConcept'),
    note: f('Annotation', { array: true }),
    focalDevice: f('Procedure.focalDevice', { array: true }),
    usedReference: f('Reference', { array: true }),
    usedCode: f('CodeableConcept', { array: true }),
  },
  'Procedure.performer': { ...ELEMENT, function: f('CodeableConcept'), actor: f('Reference', { required: true }), onBehalfOf: f('Reference') },
  'Procedure.focalDevice': { ...ELEMENT, action: f('CodeableConcept'), manipulated: f('Reference', { required: true }) },
  Device: {
    ...DOMAIN,
    identifier: f('Identifier', { array: true }),
    status: f('code'),
    serialNumber: f('string'),
    deviceName: f('Device.deviceName', { array: true }),
    type: f('CodeableConcept'),
    version: f('Device.version', { array: true }),
    property: f('Device.property', { array: true }),
  },
  'Device.deviceName': { ...ELEMENT, name: f('string', { required: true }), type: f('code', { required: true }) },
  'Device.version': { ...ELEMENT, type: f('CodeableConcept'), component: f('Identifier'), value: f('string', { required: true }) },
  'Device.property': { ...ELEMENT, type: f('CodeableConcept', { required: true }), valueQuantity: f('Quantity', { array: true }), valueCode: f('CodeableConcept', { array: true }) },
  Observation: {
    ...DOMAIN,
    identifier: f('Identifier', { array: true }),
    partOf: f('Reference', { array: true }),
    status: f('code', { required: true }),
    category: f('CodeableConcept', { array: true }),
    code: f('CodeableConcept', { required: true }),
    subject: f('Reference'),
    effectivePeriod: f('Period'),
    device: f('Reference'),
    valueQuantity: f('Quantity'),
    dataAbsentReason: f('CodeableConcept'),
    component: f('Observation.component', { array: true }),
  },
  // value[x] of R4 Observation.component includes Quantity and boolean (the two used here).
  'Observation.component': { ...ELEMENT, code: f('CodeableConcept', { required: true }), valueQuantity: f('Quantity'), valueBoolean: f('boolean'), dataAbsentReason: f('CodeableConcept') },
};

/** R4 primitive forms (the regular expressions of the specification's data types page). */
const PRIMITIVES: Readonly<Record<string, (v: unknown) => boolean>> = {
  string: (v) => typeof v === 'string' && v.length > 0,
  markdown: (v) => typeof v === 'string' && v.trim().length > 0,
  code: (v) => typeof v === 'string' && /^[^\s]+( [^\s]+)*$/.test(v),
  id: (v) => typeof v === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(v),
  uri: (v) => typeof v === 'string' && /^\S+$/.test(v),
  boolean: (v) => typeof v === 'boolean',
  decimal: (v) => typeof v === 'number' && Number.isFinite(v),
  unsignedInt: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0,
  dateTime: (v) => typeof v === 'string' && /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(v),
  instant: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v),
};

/** Every problem found, each as `path: what`; empty when the value has the R4 shape. */
export function r4Problems(value: unknown, type: string, at?: string): string[] {
  const primitive = PRIMITIVES[type];
  if (primitive !== undefined) return primitive(value) ? [] : [`${at ?? type}: ${JSON.stringify(value)} is not a valid ${type}`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at ?? type}: not an object`];
  const record = value as Record<string, unknown>;
  const specName = type === 'Resource' ? String(record.resourceType) : type;
  const path = at ?? specName;
  const spec = R4[specName];
  if (spec === undefined) return [`${path}: no R4 shape known for ${specName}`];
  const problems: string[] = [];
  if ('resourceType' in spec && record.resourceType !== specName) problems.push(`${path}.resourceType: ${String(record.resourceType)}, expected ${specName}`);
  // obs-6 (Observation and its components): dataAbsentReason only when there is no value.
  if ('dataAbsentReason' in record && Object.keys(record).some((k) => /^value[A-Z]/.test(k))) problems.push(`${path}: both a value and a dataAbsentReason (obs-6)`);
  for (const [key, field] of Object.entries(spec)) if (field.required === true && !(key in record)) problems.push(`${path}.${key}: required (1..1) but missing`);
  for (const [key, v] of Object.entries(record)) {
    const field = spec[key];
    if (field === undefined) {
      problems.push(`${path}.${key}: not an element of R4 ${specName}`);
      continue;
    }
    if (key === 'resourceType') continue;
    if (field.array === true) {
      if (!Array.isArray(v) || v.length === 0) problems.push(`${path}.${key}: must be a non-empty array`);
      else v.forEach((item, i) => problems.push(...r4Problems(item, field.type, `${path}.${key}[${i}]`)));
    } else if (Array.isArray(v)) problems.push(`${path}.${key}: must not be an array (0..1)`);
    else problems.push(...r4Problems(v, field.type, `${path}.${key}`));
  }
  return problems;
}
