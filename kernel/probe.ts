// What identifies a probe, defined once for the board files, the calibration records, the
// front-end and the controller: its thermocouple type and its id.
import { z } from 'zod';

/** Letter-designated thermocouple types this console supports (shared/domain.md section 5). */
export const THERMOCOUPLE_TYPES = ['T', 'K'] as const;
export type ThermocoupleType = (typeof THERMOCOUPLE_TYPES)[number];

export function isThermocoupleType(text: string): text is ThermocoupleType {
  return (THERMOCOUPLE_TYPES as readonly string[]).includes(text);
}

/** Probe ids name files (`<dataDir>/calibrations/<id>.json`): letters, digits, '.', '_', '-',
 * 1-64 characters, never '.' or '..' -- anything else could point outside that folder. */
export const PROBE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The rule in words, for error messages. */
export const PROBE_ID_RULE = '1-64 of A-Z a-z 0-9 . _ -, not . or ..';

export function isValidProbeId(probeId: string): boolean {
  return PROBE_ID_PATTERN.test(probeId) && probeId !== '.' && probeId !== '..';
}

/** A probe id field of an input file; the error names the value and the rule. */
export const ProbeIdSchema = z.string().superRefine((id, ctx) => {
  if (!isValidProbeId(id)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(id)} is not a valid probe id (${PROBE_ID_RULE})` });
});
