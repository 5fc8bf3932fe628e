// `cryo boards check FILE...`: validates board files before anyone wires a console to one.
import type { Command } from 'commander';
import { checkBoardFiles, type BoardCheck } from '../board.js';
import type { CliIo } from './simulate.js';

/** Every file valid. */
export const EXIT_BOARDS_OK = 0;
/** At least one file invalid; each problem names the file, the field and the value. */
export const EXIT_BOARDS_INVALID = 1;

interface CheckFlags {
  json?: boolean;
}

export function runBoardsCheck(files: readonly string[], flags: CheckFlags, io: CliIo): number {
  const results: BoardCheck[] = checkBoardFiles(files);
  if (flags.json === true) {
    io.stdout(`${JSON.stringify({ files: results })}\n`);
  } else {
    for (const result of results) {
      if (result.ok) io.stdout(`${result.file}: ok\n`);
      for (const problem of result.problems) io.stderr(`${problem}\n`);
    }
  }
  return results.every((r) => r.ok) ? EXIT_BOARDS_OK : EXIT_BOARDS_INVALID;
}

export function registerBoards(program: Command, io: CliIo, setResult: (code: number) => void): void {
  const boards = program.command('boards').description('board definition files (boards/*.json)');
  boards
    .command('check')
    .description('validate board files: exit 0 when all are valid, 1 otherwise (each problem names file, field and value)')
    .argument('<files...>', 'board files to check')
    .option('--json', 'print { "files": [ { "file", "ok", "problems" } ] }')
    .action((files: string[], flags: CheckFlags) => {
      setResult(runBoardsCheck(files, flags, io));
    });
}
