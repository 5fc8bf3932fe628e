// How a treatment's recorded schema version (TreatmentRecord.schemaVersion, migration 4) reads in
// `cryo records show`, the FHIR export and the report: one wording, so an auditor sees the same
// words wherever the treatment is read. JSON keeps the value itself (null when none).
import { TREATMENT_VERSION_SCHEMA_VERSION } from './migrations.js';

/** A treatment begun before migration 4 has no version recorded (NULL), and says why. */
export const SCHEMA_NOT_RECORDED_TEXT = `not recorded (begun before schema ${TREATMENT_VERSION_SCHEMA_VERSION})`;

/** The version as a number, or SCHEMA_NOT_RECORDED_TEXT when none was recorded. */
export function recordedSchemaText(schemaVersion: number | null): string {
  return schemaVersion === null ? SCHEMA_NOT_RECORDED_TEXT : String(schemaVersion);
}
