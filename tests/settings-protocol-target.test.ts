// The target r(-20 C) per protocol (review of issue 11, M3: the issue asks for a target "per
// protocol and per target nerve"; only the nerve's existed). protocol.targetRadiusMm has the
// bounds of iceBall.targetRadiusMm, and the target a freeze is judged against is the most
// specific one: the nerve's own, else the protocol's, else iceBall.targetRadiusMm. A settings
// file without a protocol target parses exactly as before.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsFromFlags } from '../src/cli/options.js';
import { DEFAULT_SETTINGS, PRESETS, SettingsError, TARGET_RADIUS_MM_MAX, TARGET_RADIUS_MM_MIN, parseSettings, targetRadiusMm } from '../src/controller/settings.js';
import { tempDirForFile } from './helpers/temp.js';

const PROTOCOL = { cycles: 2, freezeS: 90, thawS: 30 } as const;
const dir = tempDirForFile('cryo-protocol-target-');

describe('protocol.targetRadiusMm', () => {
  it.each([0.5, 6])('refuses %j mm, naming the field and the value', (mm) => {
    const input = { protocol: { ...PROTOCOL, targetRadiusMm: mm } };
    expect(() => parseSettings(input, 's.json')).toThrow(SettingsError);
    expect(() => parseSettings(input, 's.json')).toThrow(new RegExp(`s\\.json: protocol\\.targetRadiusMm: .*\\(got ${mm}\\)`));
  });

  it('accepts the bounds of iceBall.targetRadiusMm', () => {
    for (const mm of [TARGET_RADIUS_MM_MIN, TARGET_RADIUS_MM_MAX]) expect(parseSettings({ protocol: { ...PROTOCOL, targetRadiusMm: mm } }).protocol.targetRadiusMm).toBe(mm);
  });

  it('is on no preset (domain section 4 gives no radius per protocol)', () => {
    for (const preset of Object.values(PRESETS)) expect(Object.keys(preset)).toEqual(['cycles', 'freezeS', 'thawS']);
  });
});

describe('the target a freeze is judged against', () => {
  const settings = parseSettings({ protocol: { ...PROTOCOL, targetRadiusMm: 3 }, iceBall: { targetRadiusMm: 2.5, targetRadiusByNerveMm: { sural: 1.5 } } });

  it("is the chosen nerve's own when it has one, before the protocol's", () => {
    expect(targetRadiusMm(settings, 'sural')).toBe(1.5);
  });

  it("is the protocol's when the nerve has none or no nerve is chosen, before iceBall.targetRadiusMm", () => {
    expect(targetRadiusMm(settings, 'saphenous')).toBe(3);
    expect(targetRadiusMm(settings, null)).toBe(3);
  });

  it('is iceBall.targetRadiusMm when neither the nerve nor the protocol gives one', () => {
    const noProtocolTarget = parseSettings({ protocol: PROTOCOL, iceBall: { targetRadiusMm: 2.5, targetRadiusByNerveMm: { sural: 1.5 } } });
    expect(targetRadiusMm(noProtocolTarget, 'saphenous')).toBe(2.5);
    expect(targetRadiusMm(noProtocolTarget, null)).toBe(2.5);
    expect(targetRadiusMm(noProtocolTarget, 'sural')).toBe(1.5);
  });

  it('is 2 mm by default', () => {
    expect(targetRadiusMm(DEFAULT_SETTINGS, null)).toBe(2);
  });
});

describe('a settings file without a protocol target', () => {
  it('parses to the same protocol as before, with no targetRadiusMm key (so the same JSON and hash)', () => {
    expect(JSON.stringify(DEFAULT_SETTINGS.protocol)).toBe('{"cycles":3,"freezeS":120,"thawS":45}');
    expect(JSON.stringify(parseSettings({ protocol: PROTOCOL }).protocol)).toBe('{"cycles":2,"freezeS":90,"thawS":30}');
  });
});

describe('the command-line protocol flags', () => {
  const file = join(dir, 'target.json');
  writeFileSync(file, JSON.stringify({ protocol: { ...PROTOCOL, targetRadiusMm: 3 } }));

  it("keep the settings file's protocol target when they change its figures", () => {
    const s = settingsFromFlags({ settings: file, freezeS: '60' });
    expect(s.protocol).toEqual({ ...PROTOCOL, freezeS: 60, targetRadiusMm: 3 });
  });

  it('refuse --preset over a settings file whose protocol has a target (the preset would drop it unseen)', () => {
    expect(() => settingsFromFlags({ settings: file, preset: 'percutaneous' })).toThrow(
      "--preset: the settings file's protocol has targetRadiusMm 3 mm, which a preset would drop",
    );
  });

  it('take --preset over a settings file whose protocol has no target', () => {
    const plain = join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify({ protocol: PROTOCOL }));
    const s = settingsFromFlags({ settings: plain, preset: 'percutaneous' });
    expect(s.protocol).toEqual(PRESETS.percutaneous);
    expect(targetRadiusMm(s, null)).toBe(2);
  });
});
