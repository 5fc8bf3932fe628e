// Reading a settings file is I/O, so it lives here at the boundary; the controller keeps only the
// pure parse (src/controller/settings.ts: parseSettings), which never touches Node.
import { readJsonFile } from '../../kernel/json-file.js';
import { SettingsError, parseSettings } from '../controller/settings.js';
import type { Settings } from '../controller/settings.js';

/** Read and validate a JSON settings file; every failure names the file. */
export function loadSettingsFile(path: string): Settings {
  return parseSettings(readJsonFile(path, 'settings file', (message) => new SettingsError(message)), path);
}
