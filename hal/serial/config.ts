// The thermocouple front-end's part of a hardware board file (`frontend`), owned by its driver.
import { z } from 'zod';

/** The front-end's default serial rate (docs/serial-protocol.md). */
const FRONTEND_DEFAULT_BAUD = 115_200;
const MIN_BAUD = 9_600;
const MAX_BAUD = 1_000_000;
/** Tip channels a console reads (the protocol carries up to 8; a probe has at most 4 thermocouples). */
const MAX_TIP_CHANNELS = 4;

export const FrontendConfigSchema = z
  .object({
    /** Serial device of the thermocouple front-end. */
    port: z.string().min(1),
    baud: z.number().int().min(MIN_BAUD).max(MAX_BAUD).default(FRONTEND_DEFAULT_BAUD),
    channels: z.number().int().min(1).max(MAX_TIP_CHANNELS).default(1),
  })
  .strict();
export type FrontendConfig = z.infer<typeof FrontendConfigSchema>;
