// Targets of a treatment: `NERVE:SIDE` parsed and described against the nerve catalog (issue 10),
// which lives in src/controller/nerve-catalog.ts so the settings schema can check ids against it.
import type { Nerve } from '../controller/nerve-catalog.js';
import { NERVES } from '../controller/nerve-catalog.js';
import type { NerveSide, TreatmentTarget } from './types.js';
import { NERVE_SIDES } from './types.js';

export { NERVES };
export type { Nerve };

/** Kebab-case: lower-case words joined by single hyphens. */
const NERVE_ID_PATTERN = /^[a-z]+(-[a-z]+)*$/;
/** `--target` text longer than this is refused before it is echoed in an error. */
export const MAX_TARGET_CHARS = 64;

/** What is wrong with a catalog (duplicate or malformed ids, empty texts); empty when sound. */
export function catalogProblems(nerves: readonly Nerve[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, nerve] of nerves.entries()) {
    if (!NERVE_ID_PATTERN.test(nerve.id)) problems.push(`nerves[${i}].id: '${nerve.id}' is not kebab-case`);
    if (seen.has(nerve.id)) problems.push(`nerves[${i}].id: '${nerve.id}' is used twice`);
    seen.add(nerve.id);
    // The flag and the note must agree: a note reading 'sensory only' on a motor nerve (or a motor
    // note on a nerve marked sensory) is the mistake the flag exists to prevent.
    if (nerve.motor === /^sensory( only)?\b/.test(nerve.motorNote)) problems.push(`nerves[${i}].motorNote: '${nerve.motorNote}' contradicts motor: ${nerve.motor} (nerve '${nerve.id}')`);
    for (const field of ['name', 'territory', 'motorNote', 'bodySiteText'] as const) {
      if (nerve[field].trim() === '') problems.push(`nerves[${i}].${field}: empty (nerve '${nerve.id}')`);
    }
  }
  return problems;
}

export function findNerve(id: string): Nerve | undefined {
  return NERVES.find((n) => n.id === id);
}

/** A target that is not `NERVE:SIDE` of the catalog; the message names the field and value. */
export class TargetError extends Error {}

/** `NERVE:SIDE`, e.g. `sural:left`; a TargetError lists the valid ids or sides otherwise. */
export function parseTarget(text: string): TreatmentTarget {
  const shown = text.length > MAX_TARGET_CHARS ? `${text.slice(0, MAX_TARGET_CHARS)}...` : text;
  const parts = text.split(':');
  const [nerveId, side] = parts;
  if (parts.length !== 2 || nerveId === undefined || side === undefined || text.length > MAX_TARGET_CHARS) {
    throw new TargetError(`target: '${shown}' is not NERVE:SIDE (e.g. sural:left)`);
  }
  if (findNerve(nerveId) === undefined) {
    throw new TargetError(`target: '${shown}': unknown nerve '${nerveId}' (known: ${NERVES.map((n) => n.id).join(', ')})`);
  }
  if (!(NERVE_SIDES as readonly string[]).includes(side)) {
    throw new TargetError(`target: '${shown}': side '${side}' is not one of ${NERVE_SIDES.join(', ')}`);
  }
  return { nerveId, side: side as NerveSide };
}

/** `Sural nerve, left` (or the bare id when the catalog no longer has it). */
export function describeTarget(target: TreatmentTarget): string {
  return `${findNerve(target.nerveId)?.name ?? `unknown nerve '${target.nerveId}'`}, ${target.side}`;
}
