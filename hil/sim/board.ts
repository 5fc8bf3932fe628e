// A simulated board file ("backend": "sim"): the plant model behind the HAL contract.
import { z } from 'zod';
import { BoardNameSchema } from '../../hal/board-name.js';
import { ProbeIdSchema, THERMOCOUPLE_TYPES } from '../../kernel/probe.js';
import { PlantParamsError, resolvePlantParams } from '../plant/index.js';

export const SimBoardSchema = z
  .object({
    $schema: z.string().optional(),
    name: BoardNameSchema,
    backend: z.literal('sim'),
    /** The tip thermocouple's type: calibrations must match it; it sets the physical-floor tolerance. */
    thermocoupleType: z.enum(THERMOCOUPLE_TYPES).default('T'),
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
        probeId: ProbeIdSchema.nullable().optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine(checkPlant);

export type SimBoard = z.infer<typeof SimBoardSchema>;

/** The plant model's own range checks, here so `cryo boards check` refuses what `cryo run` would. */
function checkPlant(board: { plant: Parameters<typeof resolvePlantParams>[0] }, ctx: z.RefinementCtx): void {
  try {
    resolvePlantParams(board.plant);
  } catch (err) {
    if (!(err instanceof PlantParamsError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['plant'], message: err.message.replace(/^plant: /, '') });
  }
}
