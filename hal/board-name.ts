// A board file's `name`: shown on the status line and the console page, logged, kept in every
// treatment record (console.boardName) and sent with the telemetry. Bounded here, at the boundary,
// by the tightest of them (the telemetry worker's data, MAX_BOARD_NAME_CHARS): a 300-character
// name passed `cryo boards check`, then the telemetry worker refused it and was restarted for ever;
// past 256 characters the records refused every treatment's start (RECORDS_UNAVAILABLE at each
// start). No control characters: the name is printed.
import { z } from 'zod';
import { hasControlCharacters } from '../kernel/printable.js';

export const MAX_BOARD_NAME_CHARS = 200;

export const BoardNameSchema = z
  .string()
  .min(1)
  .max(MAX_BOARD_NAME_CHARS)
  // The value in the message: the board loader prints a custom issue's message as it is.
  .refine((name) => !hasControlCharacters(name), {
    error: (issue) => `a board name holds no control characters (it is printed, logged and recorded) (got ${JSON.stringify(issue.input)})`,
  });
