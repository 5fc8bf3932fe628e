// The problems a board file gets from the board schema, for tests of its refusals.
import { BoardError, parseAnyBoard } from '../../src/board.js';

/** The BoardError problems `input` produces, one per line; '' when it parses. */
export function problemsOf(input: unknown): string {
  try {
    parseAnyBoard(input, 'boards/x.json');
  } catch (err) {
    if (err instanceof BoardError) return err.problems.join('\n');
    throw err;
  }
  return '';
}
