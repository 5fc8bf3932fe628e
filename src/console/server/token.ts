// The console's access token (issue 9): a remote client that presents it may stop and acknowledge
// (never start nor pause audio: kiosk only); without it a remote client only watches. Created at first run in the data
// directory, readable by its owner only (mode 0600), printed or rotated by `cryo token`.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputFileError, readBoundedFile } from '../../../kernel/json-input.js';

export const TOKEN_FILE_NAME = 'console-token';
/** 32 random bytes: 256 bits, beyond guessing over a rate-limited socket. */
export const TOKEN_BYTES = 32;
/** Owner read/write only: the token is a credential. */
export const TOKEN_FILE_MODE = 0o600;
/** The token and its newline are 44 bytes; a file far larger holds no token. */
const MAX_TOKEN_FILE_BYTES = 1_024;
/** base64url of TOKEN_BYTES, checked when read back so a truncated file is not a weak token. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function tokenPath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE_NAME);
}

function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Writes atomically with mode 0600 from the first byte (never world-readable, even briefly). */
function writeToken(dataDir: string, token: string): void {
  mkdirSync(dataDir, { recursive: true });
  const path = tokenPath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${token}\n`, { mode: TOKEN_FILE_MODE });
  chmodSync(temp, TOKEN_FILE_MODE);
  renameSync(temp, path);
}

/** The token in `dataDir`, created when there is none. A file that holds no valid token is an
 * error naming the file (never silently replaced: an operator may have copied it). */
export function readOrCreateToken(dataDir: string): string {
  const path = tokenPath(dataDir);
  let text: string;
  try {
    // As every input file (kernel/json-input.ts): a FIFO there held the console worker (and `cryo
    // token`) for ever, at start-up and at each client's token check; /dev/zero filled memory.
    text = readBoundedFile(path, 'console token', MAX_TOKEN_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof InputFileError && error.missing)) throw error;
    const token = newToken();
    writeToken(dataDir, token);
    return token;
  }
  const token = text.trim();
  if (!TOKEN_PATTERN.test(token)) throw new Error(`${path}: not a console token (expected 43 base64url characters); run cryo token --rotate`);
  // A copy restored with a looser mode is tightened, not trusted as is.
  chmodSync(path, TOKEN_FILE_MODE);
  return token;
}

/** A new token replaces the old one; clients holding the old one are read-only from then on. */
export function rotateToken(dataDir: string): string {
  const token = newToken();
  writeToken(dataDir, token);
  return token;
}

/** Constant-time comparison (a byte-by-byte early exit would leak the token's prefix by timing). */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Compare equal lengths always, so the time does not depend on where they differ.
  const same = timingSafeEqual(a.length === b.length ? a : b, b);
  return same && a.length === b.length;
}
