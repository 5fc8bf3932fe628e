// Board definition files (boards/*.json): which back-end serves the HAL and how it is set up.
// Parsed once with a schema; every problem names the file, the field and the value. Each kind of
// board owns its schema on its floor (hal/hardware-board.ts, hil/sim/board.ts); this table is the
// one place that knows every kind.
import { z } from 'zod';
import { describeIssues, valueText } from '../kernel/config-error.js';
import { printable } from '../kernel/printable.js';
import { readHashedJsonFile } from '../kernel/json-file.js';
import { HardwareBoardSchema, type HardwareBoard } from '../hal/hardware-board.js';
import { SimBoardSchema, type SimBoard } from '../hil/sim/board.js';

export type { HardwareBoard, TransducerConfig, PinName } from '../hal/hardware-board.js';
export type { SimBoard } from '../hil/sim/board.js';

/** Every kind of board, keyed by the board file's `backend`. */
export const BOARD_SCHEMAS = {
  sim: SimBoardSchema,
  hardware: HardwareBoardSchema,
} as const satisfies Record<string, z.ZodType<{ backend: string }>>;
export type BoardBackend = keyof typeof BOARD_SCHEMAS;
export type Board = SimBoard | HardwareBoard;

const isBoardBackend = (kind: unknown): kind is BoardBackend => typeof kind === 'string' && Object.hasOwn(BOARD_SCHEMAS, kind);

/** A bad board file; `problems` holds one line per problem, each naming file, field and value. */
export class BoardError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'));
    this.problems = list;
  }
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, source: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // Custom issues already carry the value in their message; describeIssues appends it to the rest.
  // A key of the file (pins.<key>) is in the path: its control characters are escaped, as there.
  const problems = result.error.issues.map((issue) =>
    issue.code === 'custom'
      ? printable(`${source}: ${issue.path.map(String).join('.')}: ${issue.message}`)
      : describeIssues(source, new z.ZodError([issue]), input),
  );
  throw new BoardError(problems);
}

/** Any board: simulated or hardware. Throws BoardError naming every bad field. */
export function parseAnyBoard(input: unknown, source: string): Board {
  const backend = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).backend : undefined;
  if (!isBoardBackend(backend)) {
    const supported = Object.keys(BOARD_SCHEMAS).map((k) => JSON.stringify(k)).join(', ');
    throw new BoardError(`${source}: backend: unknown back-end ${valueText(backend)} (supported: ${supported})`);
  }
  return parseWith<Board>(BOARD_SCHEMAS[backend], input, source);
}

/** A simulated board (tests and sim-only helpers); any other back-end is refused, naming it. */
export function parseBoard(input: unknown, source: string): SimBoard {
  const board = parseAnyBoard(input, source);
  if (board.backend !== 'sim') throw new BoardError(`${source}: backend: expected a simulated board ("sim"), got "${board.backend}"`);
  return board;
}

/** A board as parsed from its file, with the SHA-256 (lower-case hex) of the bytes it was parsed
 * from: what a treatment record names as the board the console ran with (boardSha256). */
export interface HashedBoard {
  readonly board: Board;
  readonly sha256: string;
}

/** Any board from its file, and the file's SHA-256 from the same read (never a second one, which
 * could hash a file rewritten or removed since). Throws BoardError naming the file and problem. */
export function loadHashedBoardFile(path: string): HashedBoard {
  const file = readHashedJsonFile(path, 'board file', (message) => new BoardError(message));
  return { board: parseAnyBoard(file.value, path), sha256: file.sha256 };
}

export function loadAnyBoardFile(path: string): Board {
  return loadHashedBoardFile(path).board;
}

export interface BoardCheck {
  readonly file: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** Validates each file; never throws for a bad file (its problems are in the result). It loads
 * through loadAnyBoardFile, as `cryo run` does: a file that passes here is one run accepts. */
export function checkBoardFiles(paths: readonly string[]): BoardCheck[] {
  return paths.map((file) => {
    try {
      loadAnyBoardFile(file);
      return { file, ok: true, problems: [] };
    } catch (err) {
      if (err instanceof BoardError) return { file, ok: false, problems: err.problems };
      throw err;
    }
  });
}
