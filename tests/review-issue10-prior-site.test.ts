// Review of issue 10: a console restarted after a kill -9 must know the site's cumulative freeze
// (FREEZE_TIME_LIMIT's cap). The real records worker computes it at start (priorSiteFreezeMs) from
// the latest interrupted treatment's 'site' event plus what that treatment froze. Two crashes it
// forgets:
// - the crash lands after a resumed treatment's begin committed but before its first batch (the
//   'site' event travels in the first append, up to RECORDS_FLUSH_MS later): the prior site's
//   freeze reads as 0;
// - a second kill -9 (or power loss) after the restart, before any new treatment: nothing is open
//   any more, so priorSiteFreezeMs is null and the site's cap starts again from zero.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { SITE_EVENT_KIND } from '../src/records/protocol.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import { RecordsLink } from '../src/runtime/records-link.js';
import type { RecordsReady } from '../src/runtime/records-link.js';
import { capturingLogger } from './helpers/console-fixture.js';
import { samples, treatmentEnd, treatmentStart } from './helpers/records-data.js';
import { REAL_RECORDS_WORKER } from './helpers/records-worker-fixture.js';
import { tempDirMaker } from './helpers/temp.js';

const newDir = tempDirMaker('cryo-review10-prior-');
const links: RecordsLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});
const T0 = 1_780_000_000_000;
/** What the first treatment froze at this site (stopped by the operator, then resumed). */
const FIRST_FROZEN_MS = 60_000;

/** A console start on `dataDir`: the real worker opens the store and recovers what is open. */
async function consoleStart(dataDir: string): Promise<RecordsReady> {
  if (!existsSync(REAL_RECORDS_WORKER)) throw new Error('npm run build first');
  const clock = new VirtualClock(0);
  const link = new RecordsLink(
    {
      workerUrl: REAL_RECORDS_WORKER,
      dataDir,
      clock,
      wallNowMs: () => T0 + 1_000_000,
      logger: capturingLogger().logger,
      timers: new ManualTimers(clock),
      context: { softwareVersion: 't', boardName: 'sim', boardSha256: 'a'.repeat(64), target: null, patientRef: null, operatorId: null, probe: (probeId) => ({ probeId, calibrationId: null, calibrationChecksum: null }) },
    },
    DEFAULT_SETTINGS,
  );
  links.push(link);
  const ready = await link.start(10_000);
  await link.stop();
  return ready;
}

/** Treatment 1: began at a fresh site, froze FIRST_FROZEN_MS, stopped (sealed). */
function firstTreatmentStopped(store: RecordsStore): void {
  const id = store.begin(treatmentStart({ startedAtEpochMs: T0 }));
  store.append(id, samples(3), [{ tMs: 0, kind: SITE_EVENT_KIND, detail: { cumulativeFreezeMsAtStart: 0 } }]);
  store.end(id, treatmentEnd({ outcome: 'stopped', frozenMs: FIRST_FROZEN_MS }));
}

describe('review issue 10: the site freeze a restart remembers', () => {
  it('a crash right after a resumed treatment began (its site event not yet committed) still counts the site freeze before it', async () => {
    const dataDir = newDir();
    const store = RecordsStore.open(recordsPath(dataDir));
    firstTreatmentStopped(store);
    // The same site resumed: its begin is committed, the first batch (site event, samples) is not.
    store.begin(treatmentStart({ startedAtEpochMs: T0 + 120_000 }));
    store.close();
    const ready = await consoleStart(dataDir);
    expect(ready.interrupted).toHaveLength(1);
    // Unknown is not zero: at least what the site froze before the resumed treatment.
    expect(ready.priorSiteFreezeMs).toBeGreaterThanOrEqual(FIRST_FROZEN_MS);
  });

  it('a second crash after the restart, before any new treatment, still knows the site freeze', async () => {
    const dataDir = newDir();
    const store = RecordsStore.open(recordsPath(dataDir));
    const id = store.begin(treatmentStart({ startedAtEpochMs: T0 }));
    store.append(id, samples(50), [{ tMs: 0, kind: SITE_EVENT_KIND, detail: { cumulativeFreezeMsAtStart: FIRST_FROZEN_MS } }]);
    store.close();
    const first = await consoleStart(dataDir);
    expect(first.priorSiteFreezeMs).toBeGreaterThanOrEqual(FIRST_FROZEN_MS);
    // kill -9 again (or a power cut) while idle: the next start must still count the site.
    const second = await consoleStart(dataDir);
    expect(second.priorSiteFreezeMs).toBe(first.priorSiteFreezeMs);
  });
});
