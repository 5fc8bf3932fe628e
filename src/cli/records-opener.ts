// How `cryo records` opens the treatment records for reading: an injectable seam, so the command
// line is tested against an in-memory reader and the real store is wired in one place.
import type { RecordsReader } from '../records/types.js';

/** Opens the records of `dataDir` read-only; throws (naming the file and why) when it cannot. It
 * may be async, so the real one can `await import()` the store and every other verb of `cryo`
 * starts without loading the SQLite binding. */
export type RecordsOpener = (dataDir: string) => RecordsReader | Promise<RecordsReader>;

/** The SQLite store (src/records/store.ts), loaded only when a verb reads it, opened read-only:
 * `cryo records` never writes a record. */
export const defaultOpener: RecordsOpener = async (dataDir) => {
  const { RecordsStore, recordsPath } = await import('../records/store.js');
  return RecordsStore.open(recordsPath(dataDir), { readonly: true });
};
