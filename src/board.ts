// Board definition files (boards/*.json): which back-end serves the HAL and how it is set up.
// Parsed once with a schema; every problem names the file, the field and the value.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from './controller/settings.js';

export const SimBoardSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    backend: z.literal('sim'),
    /** The tip thermocouple's type: calibrations must match it; it sets the physical-floor tolerance. */
    thermocoupleType: z.enum(['T', 'K']).default('T'),
    calibration: z
      .object({
        /** Simulated boards only: when the probe has no valid calibration at start-up, calibrate it
         * on the simulated baths (virtual time, a few ms) and save the record like any other. */
        autoCalibrate: z.boolean().default(false),
      })
      .strict()
      .default({ autoCalibrate: false }),
    /** Seeds the simulated sensor noise; the same seed replays the same run. */
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /** Overrides of the plant model's parameters (hil/plant/params.ts). */
    plant: z
      .object({
        cylinderTempC: z.number().optional(),
        liquidChargeG: z.number().optional(),
        probePresent: z.boolean().optional(),
        probeId: z.string().nullable().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type SimBoard = z.infer<typeof SimBoardSchema>;
/** Only the simulated board exists so far; hardware back-ends join this union. */
export type Board = SimBoard;

export class BoardError extends Error {}

export function parseBoard(input: unknown, source: string): Board {
  const backend = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).backend : undefined;
  if (backend !== 'sim') {
    throw new BoardError(`${source}: backend: unknown or unsupported back-end ${JSON.stringify(backend)} (supported: "sim")`);
  }
  const result = SimBoardSchema.safeParse(input);
  if (!result.success) throw new BoardError(describeIssues(source, result.error, input));
  return result.data;
}

export function loadBoardFile(path: string): Board {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BoardError(`${path}: cannot read board file: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BoardError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  return parseBoard(json, path);
}
