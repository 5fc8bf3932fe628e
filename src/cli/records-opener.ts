// How `cryo records` opens the treatment records for reading: an injectable seam, so the command
// line is tested against an in-memory reader and the real store is wired in one place.
import { ConsoleError, EXIT_SYSTEM } from './errors.js';
import type { RecordsReader } from '../records/types.js';

/** Opens the records of `dataDir` read-only; throws (naming the file and why) when it cannot. It
 * may be async, so the real one can `await import()` the store and every other verb of `cryo`
 * starts without loading the SQLite binding. */
export type RecordsOpener = (dataDir: string) => RecordsReader | Promise<RecordsReader>;

// TODO(issue 10): temporary seam while src/records/store.ts is written on another branch. The
// merge replaces this body with
//   `const { RecordsStore, recordsPath } = await import('../records/store.js');
//    return RecordsStore.open(recordsPath(dataDir), { readonly: true });`
// (an async arrow); until then every `cryo records` verb that reads the store
// says so and exits 1, and `cryo records nerves`, which does not read it, works.
export const defaultOpener: RecordsOpener = (dataDir) => {
  throw new ConsoleError(`records: the records store is not available yet in this build (data dir ${dataDir})`, EXIT_SYSTEM);
};
