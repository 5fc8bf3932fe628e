// Canonical JSON: what the record seal (HMAC-SHA256, calibration/record.ts) and fingerprint are computed over.
//
// Canonicalisation: JSON.stringify of the value with the keys of every object sorted recursively
// (Array.prototype.sort's default order: UTF-16 code units), arrays kept in order, no whitespace.
// Numbers print as JavaScript's shortest round-trip form, so parse then stringify reproduces them.
// Caveat: integer-like keys ("1", "2") would be reordered by the engine; no record has any.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** sha256, lower-case hex, of the canonical JSON of the value (a fingerprint: anyone can compute it). */
export function sha256Hex(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) sorted[key] = sortKeys(source[key]);
    return sorted;
  }
  return value;
}
