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

/** A probe's outer diameter, mm, as the live ice-ball estimate models it
 * (src/controller/ice-ball-estimate.ts, docs/ice-ball-estimate.md): the setting iceBall.probeOdMm
 * and a calibration record's probeOdMm. Bounds: from 0.3 mm (the bioheat grid's smallest wall
 * radius, 0.15 mm) to 2.0 mm, the largest probe the unknown-tip wait's passive thaw bound is
 * derived for (src/controller/withdrawal.ts PASSIVE_THAW_BOUND_S): a bigger probe freezes a bigger
 * ice ball that thaws for longer than that table (a 5 mm probe by up to 43 %, review of issue 11),
 * so it is refused until the table covers it. 1.27 mm (18 G) is the sim plant's probe. */
export const PROBE_OD_MM_MIN = 0.3;
export const PROBE_OD_MM_MAX = 2.0;
export const PROBE_OD_MM_DEFAULT = 1.27;
