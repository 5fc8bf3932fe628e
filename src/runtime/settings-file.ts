// Reading a settings file is I/O, so it lives here at the boundary; the controller keeps only the
// pure parse (src/controller/settings.ts: parseSettings), which never touches Node. The file may
// also carry the telemetry's runtime configuration under `telemetry` (src/telemetry/config.ts
// validates it): it is no controller setting, so it is taken out before the controller's parse and
// never reaches the settings hash a treatment records.
import { readJsonFile } from '../../kernel/json-file.js';
import { SettingsError, parseSettings } from '../controller/settings.js';
import type { Settings } from '../controller/settings.js';
import { TelemetryConfigError, parseTelemetryBlock } from '../telemetry/config.js';

/** The settings file's key for the telemetry block. */
export const TELEMETRY_KEY = 'telemetry';

/** The file's JSON split into the controller's part and the telemetry block (undefined if none). */
export function splitSettingsJson(raw: unknown): { controller: unknown; telemetry: unknown } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Object.hasOwn(raw, TELEMETRY_KEY)) return { controller: raw, telemetry: undefined };
  const { [TELEMETRY_KEY]: telemetry, ...controller } = raw as Record<string, unknown>;
  return { controller, telemetry };
}

function readSettingsJson(path: string): unknown {
  return readJsonFile(path, 'settings file', (message) => new SettingsError(message));
}

/** Read and validate a JSON settings file; every failure names the file. Its telemetry block is
 * checked against its schema too (field by field; the checks that depend on --mqtt are the run's),
 * whichever verb reads the file: `cryo simulate` took a file whose block `cryo run`
 * refused, so checking a file with one verb said nothing of the other. */
export function loadSettingsFile(path: string): Settings {
  const { controller, telemetry } = splitSettingsJson(readSettingsJson(path));
  const settings = parseSettings(controller, path);
  try {
    parseTelemetryBlock(telemetry, path);
  } catch (err) {
    if (err instanceof TelemetryConfigError) throw new SettingsError(err.message);
    throw err;
  }
  return settings;
}

/** The settings file's telemetry block, not yet validated (undefined when it has none). */
export function loadTelemetryBlock(path: string): unknown {
  return splitSettingsJson(readSettingsJson(path)).telemetry;
}
