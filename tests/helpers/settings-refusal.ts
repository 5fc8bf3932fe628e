// The refusal a settings object gets from the schema, for tests of the settings' bounds.
import { expect } from 'vitest';
import { SettingsError, parseSettings } from '../../src/controller/settings.js';

/** The SettingsError message `input` produces (fails the test when it parses). */
export function refusal(input: unknown): string {
  try {
    parseSettings(input);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error(`settings were accepted: ${JSON.stringify(input)}`);
}
