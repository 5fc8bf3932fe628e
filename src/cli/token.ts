// `cryo token`: prints the console's access token (created when there is none) so an operator can
// give it to a remote client, or rotates it (`--rotate`) so an old copy no longer works. The
// token lives in the data directory with mode 0600 (src/console/server/token.ts).
import type { Command } from 'commander';
import { defaultDataDir } from '../../calibration/store.js';
import { readOrCreateToken, rotateToken, tokenPath } from '../console/server/token.js';
import type { CliIo } from './simulate.js';

interface TokenFlags {
  rotate?: boolean;
  dataDir?: string;
}

export function runToken(flags: TokenFlags, io: CliIo): void {
  const dataDir = flags.dataDir ?? defaultDataDir(process.env);
  const token = flags.rotate === true ? rotateToken(dataDir) : readOrCreateToken(dataDir);
  io.stdout(`${token}\n`);
  if (flags.rotate === true) io.stderr(`cryo: new console token written to ${tokenPath(dataDir)}; the old one no longer authenticates new clients\n`);
}

export function registerToken(program: Command, io: CliIo, setResult: (code: number) => void): void {
  program
    .command('token')
    .description("print the console's access token for remote clients (created at first use), or rotate it")
    .option('--rotate', 'replace the token with a new one')
    .option('--data-dir <dir>', 'data directory (default: $CRYO_DATA_DIR or ./data)')
    .action((flags: TokenFlags) => {
      runToken(flags, io);
      setResult(0);
    });
}
