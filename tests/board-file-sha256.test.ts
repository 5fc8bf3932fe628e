// The board file's SHA-256 in the treatment records (console.boardSha256) is taken from the same
// read the board was parsed from. It was taken by a second read at the records' setup: a file
// rewritten in between was recorded as the board the console ran with (an audit record that
// names a file the console never ran), and a file removed in between failed the start.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { BoardError, loadAnyBoardFile, loadHashedBoardFile } from '../src/board.js';
import { recordsContext } from '../src/cli/run-records.js';
import type { RecordsLinkInput } from '../src/cli/run-records.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import type { PreloadedCalibration } from '../src/runtime/calibration-provider.js';
import { capturingLogger } from './helpers/console-fixture.js';
import { tempDirMaker } from './helpers/temp.js';

const newDir = tempDirMaker('board-sha256-');
const UTF8_BOM = '\uFEFF';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The shipped simulated board under another name, written to a fresh file. */
function simBoardFile(name: string): string {
  const board = JSON.parse(readFileSync('boards/sim.json', 'utf8')) as Record<string, unknown>;
  const file = join(newDir(), 'board.json');
  writeFileSync(file, JSON.stringify({ ...board, name }, null, 2));
  return file;
}

function runInput(boardSha256: string): RecordsLinkInput {
  return {
    dataDir: '/nonexistent-cryo-board-sha256',
    boardName: 'sim',
    boardSha256,
    settings: DEFAULT_SETTINGS,
    naming: { target: null, patientRef: null, operatorId: null },
    calibration: { record: () => null } as unknown as PreloadedCalibration,
    clock: new VirtualClock(0),
    logger: capturingLogger().logger,
    kind: 'sim',
  };
}

describe("the board file's SHA-256", () => {
  it.each(['boards/sim.json', 'boards/arduino-uno.json'])('is the SHA-256 of the bytes of %s, lower-case hex', (file) => {
    const loaded = loadHashedBoardFile(file);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.sha256).toBe(sha256(readFileSync(file)));
    expect(loaded.board).toEqual(loadAnyBoardFile(file));
  });

  it('is the SHA-256 of the bytes of a name in UTF-8 that is not ASCII, a byte-order mark inside it too', () => {
    const name = `Sonde CO\u2082 \u00e0 Lyon ${UTF8_BOM}\u2014 bras 2 \u{1F9CA}`;
    const file = simBoardFile(name);
    expect(readFileSync(file).includes(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const loaded = loadHashedBoardFile(file);
    expect(loaded.board.name).toBe(name);
    expect(loaded.sha256).toBe(sha256(readFileSync(file)));
  });

  it('refuses what loadAnyBoardFile refuses, with the same BoardError naming the file: a leading byte-order mark, a missing file', () => {
    const withBom = simBoardFile('sim');
    writeFileSync(withBom, UTF8_BOM + readFileSync(withBom, 'utf8'));
    const missing = join(newDir(), 'none.json');
    for (const file of [withBom, missing]) {
      const refusal = (load: () => unknown): BoardError => {
        try {
          load();
        } catch (err) {
          if (err instanceof BoardError) return err;
          throw err;
        }
        throw new Error(`${file}: loaded`);
      };
      const hashed = refusal(() => loadHashedBoardFile(file));
      expect(hashed.problems).toEqual(refusal(() => loadAnyBoardFile(file)).problems);
      expect(hashed.message).toContain(file);
    }
  });

  it('the records name the board as it was parsed, after the file is rewritten and then removed', () => {
    const file = simBoardFile('the board the console ran with');
    const ranWith = sha256(readFileSync(file));
    const loaded = loadHashedBoardFile(file);
    writeFileSync(file, JSON.stringify({ ...loaded.board, name: 'a board it never ran with' }));
    expect(sha256(readFileSync(file))).not.toBe(ranWith);
    expect(recordsContext(runInput(loaded.sha256)).boardSha256).toBe(ranWith);
    rmSync(file);
    expect(recordsContext(runInput(loaded.sha256)).boardSha256).toBe(ranWith);
  });
});
