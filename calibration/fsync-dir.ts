// Make a rename or link inside a directory durable: fsync the directory itself (POSIX), so a power
// cut after the call cannot leave the old name in place.
import { closeSync, fsyncSync, openSync } from 'node:fs';

export function fsyncDirectory(dir: string): void {
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
