// Where a rig board's files live: the directory of its two device paths (the board file names
// them; boards/uno-emulated.json uses /tmp/cryo-rig). One rig per directory.

import { dirname, join } from 'node:path';
import type { HardwareBoard } from '../../hal/hardware-board.js';

export interface RigPaths {
  readonly dir: string;
  /** The Uno's serial device (a symlink to a pty), as the console opens it. */
  readonly uno: string;
  /** The thermocouple front-end's serial device. */
  readonly frontend: string;
  /** Unix socket for the rig's operator panel and fault injection (hil/rig/control.ts). */
  readonly control: string;
  /** The running rig's process id; absent when no rig runs. */
  readonly pid: string;
  /** JSON lines of what happens physically (hil/rig/trace.ts). */
  readonly trace: string;
  /** stdout and stderr of a rig that `cryo run` started. */
  readonly log: string;
}

export function rigPaths(board: HardwareBoard): RigPaths {
  const uno = board.firmata.port;
  if (uno === null || board.rig === null) throw new Error(`${board.name}: not a rig board (the "rig" section and firmata.port are needed)`);
  const dir = dirname(uno);
  return {
    dir,
    uno,
    frontend: board.frontend.port,
    control: join(dir, 'control.sock'),
    pid: join(dir, 'rig.pid'),
    trace: join(dir, 'trace.jsonl'),
    log: join(dir, 'rig.log'),
  };
}
