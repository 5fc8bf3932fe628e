// Review of issue 10: `--no-records` is refused on any board but a simulated one, because
// RECORDS_UNAVAILABLE is a safety function no option may switch off where a patient is treated.
// But run from the TypeScript sources (`npx tsx src/cli/main.ts run --board boards/arduino-uno.json`;
// tsx is a dependency) recordsLink() found no worker module and returned null with a warning: no
// records and no RECORDS_UNAVAILABLE, on real hardware. (Vitest runs the sources, so here too.)
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { recordsLink } from '../src/cli/run-records.js';
import type { RecordsLinkInput } from '../src/cli/run-records.js';
import { ConsoleError } from '../src/cli/errors.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import type { PreloadedCalibration } from '../src/runtime/calibration-provider.js';
import { capturingLogger } from './helpers/console-fixture.js';

function input(kind: RecordsLinkInput['kind']): RecordsLinkInput {
  return {
    dataDir: '/nonexistent-cryo-review',
    boardName: 'arduino-uno',
    boardSha256: 'a'.repeat(64),
    settings: DEFAULT_SETTINGS,
    naming: { target: null, patientRef: null, operatorId: null },
    calibration: { record: () => null } as unknown as PreloadedCalibration,
    clock: new VirtualClock(0),
    logger: capturingLogger().logger,
    kind,
  };
}

describe('review issue 10: records from the TypeScript sources', () => {
  it('refuses a hardware or emulated board rather than run it unrecorded', () => {
    expect(() => recordsLink(input('hardware'), true)).toThrow(ConsoleError);
    expect(() => recordsLink(input('emulated'), true)).toThrow(/TypeScript sources/);
  });

  it('a simulated board may still run without records from the sources', () => {
    expect(recordsLink(input('sim'), true)).toBeNull();
  });
});
