// Random settings files within the settings schema: the bounds come from the schema itself (zod's
// JSON Schema export), so a bound tightened in src/controller/settings.ts is followed at once, and
// only what `parseSettings` accepts is kept (its cross-field rules are code, not JSON Schema).
// A settings file that validates and then defeats a safety function is a finding (review H2).
import { z } from 'zod';
import type { Random } from '../../../kernel/random.js';
import { SettingsSchema, SettingsError, parseSettings } from '../../controller/settings.js';
import { INTERLOCK_IDS } from '../../controller/interlocks.js';

/** The part of JSON Schema zod emits for the settings that drawing needs. */
interface JsonSchemaNode {
  readonly type?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly additionalProperties?: JsonSchemaNode | boolean;
  readonly propertyNames?: JsonSchemaNode;
}

/** Each field is overridden with this chance; the others keep their defaults (mixes stay varied). */
const FIELD_OVERRIDE_P = 0.3;
/** Boundary values find more bugs than the middle: this share of draws lands on min or max. */
const EDGE_P = 0.3;
/** Rounds of dropping the fields `parseSettings` refuses before giving up on the draw. */
const REPAIR_ROUNDS = 8;

/** The settings schema as JSON Schema (input side: what a settings file may hold). */
export const SETTINGS_JSON_SCHEMA = z.toJSONSchema(SettingsSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;

function drawNumber(node: JsonSchemaNode, random: Random, integer: boolean): number | undefined {
  const min = node.minimum ?? node.exclusiveMinimum;
  const max = node.maximum ?? node.exclusiveMaximum;
  // A field without both bounds is not one the schema limits: leave it at its default.
  if (min === undefined || max === undefined || !(max >= min)) return undefined;
  const u = random.next();
  let value: number;
  if (u < EDGE_P / 2) value = min;
  else if (u < EDGE_P) value = max;
  else value = min + random.next() * (max - min);
  if (integer) value = Math.min(Math.floor(max), Math.max(Math.ceil(min), Math.round(value)));
  // Exclusive bounds: step inside by the smallest amount that still parses as the same field.
  if (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum) value = integer ? value + 1 : value + (max - min) * 1e-6;
  if (node.exclusiveMaximum !== undefined && value >= node.exclusiveMaximum) value = integer ? value - 1 : value - (max - min) * 1e-6;
  return value;
}

/** Keys of a record node: its propertyNames enum, or (the debounce table) the interlock ids. */
function recordKeys(node: JsonSchemaNode): readonly string[] {
  const names = node.propertyNames?.enum;
  if (names !== undefined) return names.filter((n): n is string => typeof n === 'string');
  return INTERLOCK_IDS;
}

function drawNode(node: JsonSchemaNode, random: Random): unknown {
  if (node.enum !== undefined && node.enum.length > 0) return node.enum[Math.floor(random.next() * node.enum.length)];
  if (node.type === 'number' || node.type === 'integer') return drawNumber(node, random, node.type === 'integer');
  if (node.type === 'boolean') return random.next() < 0.5;
  if (node.type === 'object') return drawObject(node, random);
  return undefined;
}

function drawObject(node: JsonSchemaNode, random: Random): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const fields: [string, JsonSchemaNode][] = Object.entries(node.properties ?? {});
  const extra = node.additionalProperties;
  if (fields.length === 0 && typeof extra === 'object') for (const key of recordKeys(node)) fields.push([key, extra]);
  for (const [key, child] of fields) {
    const isObject = child.type === 'object';
    if (!isObject && random.next() >= FIELD_OVERRIDE_P) continue;
    const value = drawNode(child, random);
    if (value !== undefined && !(isObject && Object.keys(value as object).length === 0)) out[key] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function deleteAt(target: Record<string, unknown>, path: readonly PropertyKey[]): void {
  let cursor: unknown = target;
  for (const key of path.slice(0, -1)) {
    if (cursor === null || typeof cursor !== 'object') return;
    cursor = (cursor as Record<PropertyKey, unknown>)[key];
  }
  const last = path.at(-1);
  if (last !== undefined && cursor !== null && typeof cursor === 'object') Reflect.deleteProperty(cursor, last);
}

/**
 * A settings file's contents drawn within the schema's bounds, with `protocol` replaced by the
 * caller's (the fuzzer biases it toward short runs). Fields `parseSettings` refuses (cross-field
 * rules: supply low below high, the cumulative cap over the protocol, ...) are dropped back to
 * their defaults, round by round; what is returned always parses.
 */
export function drawSettings(random: Random, protocol: Record<string, unknown> | null): Record<string, unknown> {
  const candidate = drawObject(SETTINGS_JSON_SCHEMA, random) ?? {};
  delete candidate.protocol;
  if (protocol !== null) candidate.protocol = protocol;
  for (let round = 0; round < REPAIR_ROUNDS; round += 1) {
    const result = SettingsSchema.safeParse(candidate);
    if (result.success) return candidate;
    for (const issue of result.error.issues) {
      // The cumulative-cap rule names the protocol: drop the cap rather than the protocol.
      const path = issue.path.length === 1 && issue.path[0] === 'protocol' && round === 0 ? ['freezeLimit', 'cumulativeMaxS'] : issue.path;
      deleteAt(candidate, path.length === 0 ? ['protocol'] : path);
    }
  }
  try {
    parseSettings(candidate);
    return candidate;
  } catch (err) {
    if (err instanceof SettingsError) return {};
    throw err;
  }
}
