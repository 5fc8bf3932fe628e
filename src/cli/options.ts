// Parsing and validation of command-line values shared by several verbs. Every error names the
// option and the value, and says what would be accepted.
import { BoardError } from '../board.js';
import type { Protocol, Settings } from '../controller/settings.js';
import { DEFAULT_SETTINGS, PRESETS, PRESET_NAMES, SettingsError, loadSettingsFile, withProtocol } from '../controller/settings.js';
import { UsageError } from './errors.js';

export function parseNumber(option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${option}: '${text}' is not a number`);
  return value;
}

export function parseInteger(option: string, text: string, min: number, max: number): number {
  const value = parseNumber(option, text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${option}: '${text}' must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function parseRanged(option: string, text: string, min: number, max: number): number {
  const value = parseNumber(option, text);
  if (value < min || value > max) throw new UsageError(`${option}: ${text} is outside ${min} to ${max}`);
  return value;
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
    protocol = PRESETS[flags.preset as keyof typeof PRESETS];
  }
  if (explicit) {
    protocol = {
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
  return err instanceof BoardError || err instanceof SettingsError ? new UsageError(err.message) : err;
}
