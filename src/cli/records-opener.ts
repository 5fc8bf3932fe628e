// How `cryo records` opens the treatment records for reading: an injectable seam, so the command
// line is tested against an in-memory reader and the real store is wired in one place.
import type { RecordsReader, VerifiedRecords } from '../records/types.js';

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

/** Checks the hash chain of the records of `dataDir` at whatever schema they are (1 to this
 * software's), read-only; throws (naming the file and why) when it cannot. */
export type RecordsVerifier = (dataDir: string) => VerifiedRecords | Promise<VerifiedRecords>;

/** `cryo records verify` on the SQLite store (store.ts verifyRecordsFile): a file written by
 * older software is verified as it is, not refused and not migrated, and never written. */
export const defaultVerifier: RecordsVerifier = async (dataDir) => {
  const { verifyRecordsFile, recordsPath } = await import('../records/store.js');
  return verifyRecordsFile(recordsPath(dataDir));
};
