// Review of issue 11 (M2 follow-up): the settings schema checks iceBall.nerveId only against a
// pattern, never the nerve catalog, and targetRadiusMm indexes targetRadiusByNerveMm with it as a
// plain object. A settings file naming the nerve "constructor" passes validation, the target
// radius becomes Object (a function), and the control loop throws at the first freeze's verdict
// (`cryo simulate --settings` with {"iceBall":{"nerveId":"constructor"}}: TypeError
// v.targetMm.toFixed is not a function). A nerve not in the catalog is accepted silently too.
import { describe, expect, it } from 'vitest';
import { parseSettings, targetRadiusMm } from '../src/controller/settings.js';

describe('iceBall.nerveId in a settings file', () => {
  it('gives a finite target radius for any nerve the schema accepts', () => {
    let settings;
    try {
      settings = parseSettings({ iceBall: { nerveId: 'constructor' } });
    } catch {
      return; // refused by the schema: fine
    }
    expect(typeof targetRadiusMm(settings, 'constructor')).toBe('number');
  });

  it('refuses a nerve not in the catalog, naming the field and the value', () => {
    expect(() => parseSettings({ iceBall: { nerveId: 'no-such-nerve' } })).toThrow(/iceBall\.nerveId.*no-such-nerve|no-such-nerve.*nerveId/);
  });

  it('refuses a per-nerve target keyed by a name outside the catalog, naming the key', () => {
    expect(() => parseSettings({ iceBall: { targetRadiusByNerveMm: { constructor: 3 } } })).toThrow(
      'iceBall.targetRadiusByNerveMm.constructor: not a valid key: not a nerve of the catalog (src/controller/nerve-catalog.ts) (got "constructor")',
    );
  });

  it('takes a catalog nerve and its own target', () => {
    const settings = parseSettings({ iceBall: { nerveId: 'sural', targetRadiusByNerveMm: { sural: 3.5 } } });
    expect(targetRadiusMm(settings, 'sural')).toBe(3.5);
    expect(targetRadiusMm(settings, 'saphenous')).toBe(settings.iceBall.targetRadiusMm);
  });
});
