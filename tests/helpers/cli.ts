// Runs the `cryo` CLI in-process with captured output, for tests of its arguments and messages.
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { MainIo } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function cryo(args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const stream = new PassThrough();
  const io: MainIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    console: { stdin: new PassThrough(), stdout: stream, stderr: stream },
  };
  const code = await main(args, io);
  return { code, out, err };
}
