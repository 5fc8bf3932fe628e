// `cryo run`'s treatment record options (src/cli/run-records.ts): a bad --target, --patient-ref
// or --operator is a usage error naming the option and the value, and --no-records is refused on
// any board but a simulated one; each is refused before a board or the data dir is touched.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { treatmentNaming } from '../src/cli/run-records.js';
import { cryo } from './helpers/cli.js';
import { tempDirMaker } from './helpers/temp.js';

const newDir = tempDirMaker('cryo-run-records-');
/** The longest pseudonymous reference accepted. */
const PSEUDONYM_MAX_CHARS = 64;
const USAGE_EXIT = 2;

describe('cryo run: treatment record options', () => {
  it.each([
    [['--target', 'sural'], ['--target', "'sural'", 'NERVE:SIDE']],
    [['--target', 'nosuchnerve:left'], ['--target', "'nosuchnerve'"]],
    [['--target', 'sural:middle'], ['--target', "'middle'"]],
    [['--target', 'sural:left:x'], ['--target', "'sural:left:x'"]],
    [['--patient-ref', 'Jane Doe'], ['--patient-ref', '"Jane Doe"']],
    [['--patient-ref', 'x'.repeat(PSEUDONYM_MAX_CHARS + 1)], ['--patient-ref', `"${'x'.repeat(PSEUDONYM_MAX_CHARS + 1)}"`]],
    [['--patient-ref', ''], ['--patient-ref', '""']],
    [['--operator', 'op 7'], ['--operator', '"op 7"']],
    [['--no-records', '--board', 'boards/uno-emulated.json'], ['--no-records', 'emulated']],
    [['--no-records', '--board', 'boards/arduino-uno.json'], ['--no-records', 'hardware']],
  ])('%j: exits 2 naming the option and the value, touching no data dir', async (args, named) => {
    const dataDir = join(newDir(), 'data');
    const run = await cryo(['run', '--no-web', '--data-dir', dataDir, ...args]);
    expect(run.code, run.err).toBe(USAGE_EXIT);
    for (const text of named) expect(run.err).toContain(text);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('accepts what it should: a catalog target, a 64-character reference, --no-records on the simulated board', () => {
    const ref = 'P'.repeat(PSEUDONYM_MAX_CHARS);
    expect(treatmentNaming({ target: 'sural:right', patientRef: ref, operator: 'op-7.a_b' }, 'sim')).toEqual({
      target: { nerveId: 'sural', side: 'right' },
      patientRef: ref,
      operatorId: 'op-7.a_b',
    });
    expect(treatmentNaming({ records: false }, 'sim')).toEqual({ target: null, patientRef: null, operatorId: null });
    expect(treatmentNaming({ target: 'sural:left' }, 'hardware').target).toEqual({ nerveId: 'sural', side: 'left' });
  });
});
