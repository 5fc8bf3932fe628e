// The NIST tables by letter type, and the ends of their ranges.
import { TYPE_K } from './type-k.js';
import { TYPE_T } from './type-t.js';
import type { InversePiece, ReferencePiece, ThermocoupleTable, ThermocoupleType } from './types.js';

export const THERMOCOUPLE_TABLES: Readonly<Record<ThermocoupleType, ThermocoupleTable>> = { T: TYPE_T, K: TYPE_K };

function ends<Piece>(type: ThermocoupleType, pieces: readonly Piece[]): [Piece, Piece] {
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first === undefined || last === undefined) throw new Error(`Type ${type}: thermocouple table has no pieces`);
  return [first, last];
}

/** Where the reference function (temperature to EMF) is defined, C. */
export function referenceRangeC(type: ThermocoupleType): { minC: number; maxC: number } {
  const [first, last] = ends<ReferencePiece>(type, THERMOCOUPLE_TABLES[type].reference);
  return { minC: first.minC, maxC: last.maxC };
}

/** Where NIST publishes an inverse (EMF to temperature), mV, and the temperatures it spans. */
export function inverseRangeMv(type: ThermocoupleType): { minMv: number; maxMv: number; minC: number; maxC: number } {
  const [first, last] = ends<InversePiece>(type, THERMOCOUPLE_TABLES[type].inverse);
  return { minMv: first.minMv, maxMv: last.maxMv, minC: first.minC, maxC: last.maxC };
}
