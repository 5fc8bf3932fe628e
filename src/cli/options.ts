// Parsing and validation of command-line values shared by several verbs. Every error names the
// option and the value, and says what would be accepted.
import type { Command, Option } from 'commander';
import type { FaultSpec } from '../../hil/faults.js';
import { FaultSpecError, parseFaultSpec } from '../../hil/faults.js';
import { InputFileError } from '../../kernel/json-input.js';
import { BoardError } from '../board.js';
import type { Protocol, Settings } from '../controller/settings.js';
import { DEFAULT_SETTINGS, PRESETS, PRESET_NAMES, SettingsError, withProtocol } from '../controller/settings.js';
import { loadSettingsFile } from '../runtime/settings-file.js';
import { UsageError } from './errors.js';

/** Longest number text accepted: far beyond any real value, and it bounds the work per flag. */
const MAX_NUMBER_CHARS = 32;
/** Plain decimal only: digits with an optional fraction (and a minus sign where negatives make
 * sense). Number() would also take '0x78' (120), '0b1010', '1e2', '.5' and padding whitespace. */
const UNSIGNED_DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
const SIGNED_DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

/** The value of a plain decimal `text`, or null when it is anything else. */
export function plainDecimal(text: string, signed: boolean): number | null {
  if (text.length > MAX_NUMBER_CHARS || !(signed ? SIGNED_DECIMAL : UNSIGNED_DECIMAL).test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** `signed`: the quantity can be negative (a temperature, an EMF); otherwise '-1' is refused too. */
export function parseNumber(option: string, text: string, signed = false): number {
  const value = plainDecimal(text, signed);
  if (value !== null) return value;
  if (!signed && plainDecimal(text, true) !== null) throw new UsageError(`${option}: '${text}' must not be negative`);
  const example = signed ? 'e.g. 120, 0.5 or -78.5' : 'e.g. 120 or 0.5';
  throw new UsageError(`${option}: '${text}' is not a number: plain decimals only (${example})`);
}

export function parseInteger(option: string, text: string, min: number, max: number): number {
  const value = parseNumber(option, text, min < 0);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${option}: '${text}' must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function parseRanged(option: string, text: string, min: number, max: number): number {
  const value = parseNumber(option, text, min < 0);
  if (value < min || value > max) throw new UsageError(`${option}: ${text} is outside ${min} to ${max}`);
  return value;
}

/** Commander keeps the last of `--freeze-s 60 --freeze-s 90` silently; which one the operator
 * meant is a guess, so every single-valued option of every verb is refused when given twice.
 * Options with their own parser (the repeatable ones, such as --fault) are left alone. */
export function refuseRepeatedOptions(command: Command): void {
  const given = new Map<Option, string>();
  for (const option of command.options) {
    if (!(option.required || option.optional) || option.variadic || option.parseArg !== undefined) continue;
    const name = option.long ?? option.flags;
    option.argParser((value: string) => {
      const first = given.get(option);
      if (first !== undefined) throw new UsageError(`${name}: given more than once ('${first}', then '${value}'): give it once`);
      given.set(option, value);
      return value;
    });
  }
  for (const sub of command.commands) refuseRepeatedOptions(sub);
}

/** Commander's accumulator for a repeatable option (`--fault a --fault b`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--fault KIND@S[:DUR_S]` values (hil/faults.ts syntax), each parsed once; a bad one is a
 * usage error naming the option and the part that is wrong. */
export function parseFaultFlags(texts: readonly string[]): FaultSpec[] {
  return texts.map((text) => {
    try {
      return parseFaultSpec(text);
    } catch (err) {
      if (err instanceof FaultSpecError) throw new UsageError(`--fault: ${err.message}`);
      throw err;
    }
  });
}

export interface ProtocolFlags {
  preset?: string;
  cycles?: string;
  freezeS?: string;
  thawS?: string;
  settings?: string;
}

/** Settings from `--settings FILE` (or the defaults) with the protocol flags applied and re-validated. */
export function settingsFromFlags(flags: ProtocolFlags): Settings {
  let base: Settings;
  try {
    base = flags.settings === undefined ? DEFAULT_SETTINGS : loadSettingsFile(flags.settings);
  } catch (err) {
    if (err instanceof SettingsError) throw new UsageError(err.message);
    throw err;
  }
  const explicit = flags.cycles !== undefined || flags.freezeS !== undefined || flags.thawS !== undefined;
  if (flags.preset !== undefined && explicit) {
    throw new UsageError('--preset: use either --preset or --cycles/--freeze-s/--thaw-s, not both');
  }
  let protocol: Protocol = base.protocol;
  if (flags.preset !== undefined) {
    if (!(PRESET_NAMES as string[]).includes(flags.preset)) {
      throw new UsageError(`--preset: unknown preset '${flags.preset}' (known: ${PRESET_NAMES.join(', ')})`);
    }
    // A preset replaces the whole protocol and none carries a target: the settings file's target
    // would be dropped without a word (review of stop 23, L2), so the pair is refused.
    if (base.protocol.targetRadiusMm !== undefined) {
      throw new UsageError(
        `--preset: the settings file's protocol has targetRadiusMm ${base.protocol.targetRadiusMm} mm, which a preset would drop (no preset has one): give the figures with --cycles/--freeze-s/--thaw-s, which keep it, or take it out of the file`,
      );
    }
    protocol = PRESETS[flags.preset as keyof typeof PRESETS];
  }
  if (explicit) {
    // The flags change the figures of the settings file's protocol; its target radius
    // (protocol.targetRadiusMm) stays. A preset replaces the whole protocol (refused above when
    // the file's protocol has a target).
    protocol = {
      ...protocol,
      cycles: flags.cycles === undefined ? protocol.cycles : parseNumber('--cycles', flags.cycles),
      freezeS: flags.freezeS === undefined ? protocol.freezeS : parseNumber('--freeze-s', flags.freezeS),
      thawS: flags.thawS === undefined ? protocol.thawS : parseNumber('--thaw-s', flags.thawS),
    };
  }
  try {
    return withProtocol(base, protocol, 'protocol');
  } catch (err) {
    if (err instanceof SettingsError) throw new UsageError(renameProtocolFields(err.message).replace(/^protocol: /gm, ''));
    throw err;
  }
}

/** Name the command-line flags rather than the settings fields in protocol errors. */
function renameProtocolFields(message: string): string {
  return message
    .replace(/protocol\.cycles/g, '--cycles')
    .replace(/protocol\.freezeS/g, '--freeze-s')
    .replace(/protocol\.thawS/g, '--thaw-s');
}

export function asUsageError(err: unknown): unknown {
  return err instanceof BoardError || err instanceof SettingsError || err instanceof InputFileError ? new UsageError(err.message) : err;
}
