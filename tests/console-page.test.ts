// The console page in a real browser (issue 9, section 4): Debian's chromium driven headless by
// playwright-core, against the console server run in this process with a scripted snapshot
// stream (tests/helpers/fake-console.ts). One browser serves every test in this file. The same
// page against the real `cryo run`, and the docs/console.md screenshots, are in console-e2e.test.ts.
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTION_LOST_WITHIN_MS, HIGH_HZ, HIGH_RED, MEDIUM_DUTY, MEDIUM_HZ, SAFE_GREEN, launchChromium, openConsolePage } from './helpers/browser.js';
import { LINK_CLOCK_PROBE, LOST_AFTER_SILENT_MS, SAMPLE_ALARM_OPACITY, START_FROM_PAGE, computedStyleOf, horizontalOverflowOf, offOffsetOf } from './helpers/browser-probes.js';
import type { ComputedStyleProbe } from './helpers/browser-probes.js';
import { AUDIO_PAUSE_MAX_MS, alarm, idleSnapshot, startFakeConsole } from './helpers/fake-console.js';
import type { FakeConsole } from './helpers/fake-console.js';
import { tempDirMaker } from './helpers/temp.js';
import { readOrCreateToken } from '../src/console/server/token.js';
import { startTargets } from '../src/console/snapshot.js';
import { parseSettings } from '../src/controller/settings.js';
import { NERVES } from '../src/records/nerves.js';
import { runDefaultsOf } from '../src/runtime/loop.js';

const newDataDir = tempDirMaker('console-page-');
/** A wait for something the page shows next (not a deadline under test): generous, for a loaded machine. */
const UI_MS = 10_000;

let browser: Browser;
let consoles: FakeConsole[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-page.mjs'], { stdio: 'pipe' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser.close();
});

afterEach(async () => {
  for (const f of consoles) await f.close();
  consoles = [];
});

async function fake(options: Parameters<typeof startFakeConsole>[1] = {}): Promise<FakeConsole> {
  const f = await startFakeConsole(newDataDir(), options);
  consoles.push(f);
  return f;
}

const open = (f: FakeConsole): Promise<Page> => openConsolePage(browser, f.server.url);

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const computed = (page: Page, selector: string) => page.evaluate<ComputedStyleProbe>(computedStyleOf(selector));

function freezing(tipC: number) {
  return idleSnapshot({
    phase: 'Freezing',
    cycle: 1,
    secondsLeft: 72,
    tipC,
    supplyBarGauge: 52.4,
    returnBarAbs: 1.31,
    footswitch: true,
    outputs: { supplyValveOpen: true, safetyValveOpen: true, buzzer: false, lamps: { high: false, medium: false, low: false } },
    withdrawal: { safe: false, text: 'DO NOT WITHDRAW' },
  });
}

describe('the console page', () => {
  it('loads and shows Idle, live, with the tip and the pressures', async () => {
    const f = await fake();
    const page = await open(f);
    expect(await text(page, '#phase')).toBe('IDLE');
    expect(await text(page, '#tip')).toBe('36.5');
    expect(await text(page, '#supply')).toBe('55.2 bar g');
    expect(await text(page, '#return')).toBe('1.0 bar a');
    expect(await text(page, '#withdrawal')).toBe('SAFE TO WITHDRAW');
    expect(await page.locator('#start').isEnabled()).toBe(true);
    await page.context().close();
  });

  it('shows a dash and the reason for a tip or pressure the snapshot does not vouch for', async () => {
    const f = await fake();
    const page = await open(f);
    expect(await page.locator('#pressure-fault').isVisible()).toBe(false);
    f.script((s) => ({ ...s, tipC: null, tipFault: 'reading not trusted: SENSOR_STUCK', supplyBarGauge: null, pressureFault: 'supply pressure sample is 900 ms old (limit 500 ms)' }));
    await page.locator('#pressure-fault', { hasText: 'supply pressure sample is 900 ms old' }).waitFor();
    expect(await text(page, '#supply')).toBe('—');
    expect(await text(page, '#return')).toBe('1.0 bar a');
    expect(await text(page, '#tip')).toBe('—');
    expect(await text(page, '#tip-fault')).toBe('reading not trusted: SENSOR_STUCK');
    await page.context().close();
  });

  it('makes every control at least 15 mm and STOP the largest', async () => {
    const f = await fake();
    const page = await open(f);
    const mmPx = 96 / 25.4;
    const boxes = await Promise.all(['#start', '#acknowledge', '#audio-pause', '#stop'].map(async (id) => ({ id, box: (await page.locator(id).boundingBox())! })));
    for (const { box } of boxes) {
      expect(box.height).toBeGreaterThanOrEqual(15 * mmPx - 0.5);
      expect(box.width).toBeGreaterThanOrEqual(15 * mmPx - 0.5);
    }
    const area = (b: { width: number; height: number }) => b.width * b.height;
    const stop = boxes.find((b) => b.id === '#stop')!.box;
    for (const { id, box } of boxes) if (id !== '#stop') expect(area(stop)).toBeGreaterThan(area(box));
    await page.context().close();
  });

  it('sends start with the protocol only after a confirmation naming it', async () => {
    const f = await fake();
    const page = await open(f);
    await page.click('#start');
    await page.click('#target-none');
    await page.click('button[data-preset="standard"]');
    expect(await text(page, '#confirm-text')).toBe('Start standard: 2 cycles of 90 s freeze and 60 s thaw?');
    expect(await text(page, '#confirm-target')).toBe('Target: none recorded');
    expect(f.commands).toEqual([]);
    await page.click('#confirm-start');
    await page.locator('#notice', { hasText: 'start: sent' }).waitFor();
    expect(f.commands.map((c) => c.command)).toEqual([{ type: 'start', protocol: { preset: 'standard' } }]);

    await page.click('#start');
    await page.click('#target-none');
    await page.fill('#cycles', '9');
    await page.click('#custom');
    expect(await text(page, '#choose-error')).toBe('cycles 9 is outside 1-5');
    await page.fill('#cycles', '3');
    await page.fill('#freeze-s', '120');
    await page.fill('#thaw-s', '40');
    await page.click('#custom');
    expect(await text(page, '#confirm-text')).toBe('Start 3 cycles of 120 s freeze and 40 s thaw?');
    await page.click('#cancel-confirm');
    expect(f.commands).toHaveLength(1);
    await page.click('#start');
    await page.click('#target-none');
    await page.click('#custom');
    await page.click('#confirm-start');
    await expect.poll(() => f.commands.length, { timeout: UI_MS }).toBe(2);
    expect(f.commands[1]!.command).toEqual({ type: 'start', protocol: { cycles: 3, freezeS: 120, thawS: 40 } });
    await page.context().close();
  });

  it('keeps STOP visible and working while the start dialog is open', async () => {
    const f = await fake();
    const page = await open(f);
    await page.click('#start');
    await page.click('button[data-nerve="sural"]');
    await page.click('#stop');
    await expect.poll(() => f.commands.map((c) => c.command.type), { timeout: UI_MS }).toEqual(['stop']);
    expect(await page.locator('#start-dialog').isHidden()).toBe(true);
    await page.context().close();
  });

  it('asks for the target nerve and side first, and sends them with the start after a confirmation naming them', async () => {
    const f = await fake();
    const page = await open(f);
    await page.click('#start');
    expect(await page.locator('#target-next').isDisabled()).toBe(true);
    await page.click('button[data-nerve="sural"]');
    expect(await page.locator('#target-next').isDisabled()).toBe(true);
    await page.click('#side-right');
    await page.click('#target-next');
    expect(await text(page, '#chosen-target')).toBe('Target: Sural nerve, right');
    await page.click('button[data-preset="short"]');
    expect(await text(page, '#confirm-target')).toBe('Target: Sural nerve, right');
    expect(await page.locator('#motor-warning').isHidden()).toBe(true);
    await page.click('#confirm-start');
    await expect.poll(() => f.commands.map((c) => c.command), { timeout: UI_MS }).toEqual([{ type: 'start', protocol: { preset: 'short' }, target: { nerveId: 'sural', side: 'right' } }]);
    await page.context().close();
  });

  it('names on the confirmation the r(-20 °C) target the chosen nerve and protocol will be judged against', async () => {
    // The run's protocol (the standard figures shown) with its own 3 mm target; the sural nerve's
    // own 3.5 mm; the default 2 mm for any other figures.
    const run = parseSettings({ protocol: { cycles: 2, freezeS: 90, thawS: 60, targetRadiusMm: 3 }, iceBall: { targetRadiusByNerveMm: { sural: 3.5 } } });
    const f = await fake({ first: idleSnapshot({ startTargets: startTargets(run, runDefaultsOf(run)) }) });
    const page = await open(f);
    const confirmWith = async (nerve: string | null, preset: string): Promise<string> => {
      await page.click('#start');
      if (nerve === null) {
        await page.click('#target-none');
      } else {
        await page.click(`button[data-nerve="${nerve}"]`);
        await page.click('#side-right');
        await page.click('#target-next');
      }
      await page.click(`button[data-preset="${preset}"]`);
      const shown = await text(page, '#confirm-ice-target');
      await page.click('#cancel-confirm');
      return shown;
    };
    expect(await confirmWith('sural', 'short')).toBe('r(-20 °C) target: 3.5 mm');
    expect(await confirmWith(null, 'standard')).toBe('r(-20 °C) target: 3.0 mm');
    expect(await confirmWith('saphenous', 'standard')).toBe('r(-20 °C) target: 3.0 mm');
    expect(await confirmWith(null, 'short')).toBe('r(-20 °C) target: 2.0 mm');
    expect(f.commands).toEqual([]);
    await page.context().close();
  });

  it('warns on the confirmation, with its motor note, when the chosen nerve carries motor fibres', async () => {
    const f = await fake();
    const page = await open(f);
    await page.click('#start');
    expect(await page.locator('button[data-nerve="superficial-peroneal"] .motor-tag').innerText()).toBe('MOTOR');
    expect(await page.locator('button[data-nerve="sural"] .motor-tag').count()).toBe(0);
    await page.click('button[data-nerve="superficial-peroneal"]');
    await page.click('#side-left');
    await page.click('#target-next');
    await page.click('button[data-preset="standard"]');
    const warning = page.locator('#motor-warning');
    expect(await warning.isVisible()).toBe(true);
    expect(await warning.innerText()).toMatch(/^MOTOR NERVE: Superficial peroneal \(fibular\) nerve carries motor fibres: supplies peroneus \(fibularis\) longus and brevis/);
    expect(await text(page, '#confirm-target')).toBe('Target: Superficial peroneal (fibular) nerve, left');
    await page.click('#cancel-confirm');
    expect(f.commands).toEqual([]);
    await page.context().close();
  });

  it("preselects the run's --target, lists every catalog nerve sorted by name, each at least 15 mm", async () => {
    const f = await fake({ defaultTarget: { nerveId: 'intercostobrachial', side: 'left' } });
    const page = await open(f);
    await page.click('#start');
    expect(await page.locator('button[data-nerve="intercostobrachial"]').getAttribute('class')).toMatch(/\bchosen\b/);
    expect(await page.locator('#side-left').getAttribute('class')).toMatch(/\bchosen\b/);
    expect(await page.locator('#target-next').isEnabled()).toBe(true);
    const ids = await Promise.all((await page.locator('#nerves button').all()).map(async (b) => (await b.getAttribute('data-nerve')) ?? ''));
    expect([...ids].sort()).toEqual(NERVES.map((n) => n.id).sort());
    const names = ids.map((id) => NERVES.find((n) => n.id === id)!.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    const mmPx = 96 / 25.4;
    for (const selector of ['#nerves button', '.target-buttons button']) {
      for (const button of await page.locator(selector).all()) {
        const box = (await button.boundingBox())!;
        expect(box.height).toBeGreaterThanOrEqual(15 * mmPx - 0.5);
        expect(box.width).toBeGreaterThanOrEqual(15 * mmPx - 0.5);
      }
    }
    await page.context().close();
  });

  it('lists the recent treatments compactly, and says when the records are unavailable and why', async () => {
    const f = await fake();
    const page = await open(f);
    f.server.publishRecent({ available: false, reason: 'records.sqlite: open: file is not a database' });
    await page.locator('#recent', { hasText: 'records unavailable: records.sqlite: open: file is not a database' }).waitFor();
    // One started a minute ago (today: its time), one on 3 March 2021 (another day: its date).
    const row = { endedAtEpochMs: null, probeId: 'P1', cycles: 2 };
    f.server.publishRecent({
      available: true,
      treatments: [
        { ...row, id: 12, startedAtEpochMs: Date.now() - 60_000, outcome: null, target: { nerveId: 'sural', side: 'left' }, minTipC: null },
        { ...row, id: 11, startedAtEpochMs: new Date(2021, 2, 3, 9, 5).getTime(), outcome: 'complete', target: null, minTipC: -72.25 },
      ],
    });
    await page.locator('#recent .recent-row[data-id="12"]').waitFor();
    const rows = await page.locator('#recent .recent-row').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^#12 open \d\d:\d\d Sural nerve, left$/),
      '#11 complete -72.3 °C 03-03 no target recorded',
    ]);
    await page.context().close();
  });

  it('shows Freezing with the cycle, the time left and the tip falling; STOP sends stop', async () => {
    const f = await fake();
    let tipC = -10;
    f.script((s) => {
      tipC -= 1;
      return { ...freezing(tipC), secondsLeft: Math.max(0, (s.secondsLeft ?? 72) - 0.1) };
    });
    const page = await open(f);
    await page.locator('#phase', { hasText: 'FREEZING' }).waitFor();
    expect(await text(page, '#cycle')).toBe('cycle 1/2');
    expect(await text(page, '#time-left')).toMatch(/^1:1\d left$/);
    expect(await text(page, '#withdrawal')).toBe('DO NOT WITHDRAW');
    const first = Number.parseFloat(await text(page, '#tip'));
    // The next snapshots carry a colder tip: waited for, not read after a fixed 300 ms in which a
    // held-back test process (the fake console's publisher) may have published nothing.
    await expect.poll(async () => Number.parseFloat(await text(page, '#tip')), { timeout: UI_MS }).toBeLessThan(first);
    await page.click('#stop');
    await expect.poll(() => f.commands.map((c) => c.command.type), { timeout: UI_MS }).toEqual(['stop']);
    await page.context().close();
  });

  it('flashes a high alarm red at 1.4-2.8 Hz, a medium yellow at 0.4-0.8 Hz, and shows a low one cyan and steady', async () => {
    const f = await fake();
    f.script(() => ({
      ...freezing(-62.3),
      alarms: {
        conditions: [
          alarm('LOW_SUPPLY', 'low', { detail: 'supply 41.0 bar g', hint: 'Change the cylinder after this treatment' }),
          alarm('RETURN_BLOCKED', 'high', { detail: 'return 2.9 bar a', hint: 'Check the exhaust line; freeze stopped' }),
          alarm('TIP_SLOW', 'medium', { detail: 'tip -12 C after 20 s', hint: 'Check the probe position' }),
        ],
        audioPausedMs: null,
        audioPauseMaxMs: AUDIO_PAUSE_MAX_MS,
        info: null,
      },
    }));
    const page = await open(f);
    const high = page.locator('.alarm[data-priority="high"]');
    await high.waitFor();
    const style = (selector: string) => computed(page, selector);
    const h = await style('.alarm[data-priority="high"]');
    expect(h.name).toBe('alarm-high');
    expect(1 / h.durationS).toBeGreaterThanOrEqual(HIGH_HZ[0]);
    expect(1 / h.durationS).toBeLessThanOrEqual(HIGH_HZ[1]);
    expect(h.background).toBe(HIGH_RED);
    const m = await style('.alarm[data-priority="medium"]');
    expect(m.name).toBe('alarm-medium');
    expect(1 / m.durationS).toBeGreaterThanOrEqual(MEDIUM_HZ[0]);
    expect(1 / m.durationS).toBeLessThanOrEqual(MEDIUM_HZ[1]);
    expect(m.background).toBe('rgb(253, 216, 53)');
    const l = await style('.alarm[data-priority="low"]');
    expect(l.name).toBe('none');
    expect(l.background).toBe('rgb(38, 198, 218)');
    // The duty cycle: the keyframe where the medium signal goes dark.
    const mediumOffOffset = await page.evaluate<number | null>(offOffsetOf('alarm-medium'));
    expect(mediumOffOffset).not.toBeNull();
    expect(mediumOffOffset!).toBeGreaterThanOrEqual(MEDIUM_DUTY[0]);
    expect(mediumOffOffset!).toBeLessThanOrEqual(MEDIUM_DUTY[1]);
    // The flash is not restarted by the 10 Hz updates: over a second the high signal is seen
    // both lit and dark, the low one only lit.
    const seen = await page.evaluate<{ high: number[]; low: number[] }>(SAMPLE_ALARM_OPACITY);
    expect(Math.max(...seen.high)).toBe(1);
    expect(Math.min(...seen.high)).toBeLessThan(0.5);
    expect(Math.min(...seen.low)).toBe(1);
    expect(await high.innerText()).toContain('RETURN_BLOCKED: return 2.9 bar a');
    await page.context().close();
  });

  it('sends acknowledge and audio pause, and shows the pause counting down', async () => {
    const f = await fake();
    const page = await open(f);
    await page.click('#acknowledge');
    await page.click('#audio-pause');
    await expect.poll(() => f.commands.map((c) => c.command.type), { timeout: UI_MS }).toEqual(['acknowledge', 'audio-pause']);
    let pausedMs = 118_000;
    f.script((s) => {
      pausedMs -= 100;
      return { ...s, alarms: { ...s.alarms, conditions: [alarm('TIP_SLOW', 'medium', { acknowledged: true })], audioPausedMs: pausedMs } };
    });
    await page.locator('#audio-pause', { hasText: /AUDIO PAUSED 1:5\d/ }).waitFor();
    const before = await text(page, '#audio-pause');
    // The countdown follows the published pause (100 ms less each snapshot): waited for, not read
    // after a fixed 1.2 s in which a held-back publisher may not have moved it a whole second.
    await expect.poll(() => text(page, '#audio-pause'), { timeout: UI_MS }).not.toBe(before);
    expect(await text(page, '.alarm')).toContain('(silenced)');
    await page.context().close();
  });

  it('shows the ice-ball estimate, labelled a model, and each freeze verdict, all on the 800x480 screen', async () => {
    const f = await fake();
    const verdicts = [
      { cycle: 1, r20MmAtEnd: 2.4, targetMm: 2, atTargetMs: 31_000, effective: true },
      { cycle: 2, r20MmAtEnd: 1.6, targetMm: 2, atTargetMs: 0, effective: false },
      { cycle: 3, r20MmAtEnd: null, targetMm: 2, atTargetMs: 0, effective: false },
      { cycle: 4, r20MmAtEnd: 2.2, targetMm: 2, atTargetMs: 9_000, effective: true },
      { cycle: 5, r20MmAtEnd: 12.2, targetMm: 2, atTargetMs: 9_000, effective: true },
    ];
    f.script((s) => ({ ...freezing(-60), alarms: { ...s.alarms, conditions: [alarm('RETURN_BLOCKED', 'high'), alarm('INEFFECTIVE_FREEZE', 'low')] }, cycle: 5, iceBall: { estimate: { r0Mm: 4.1, r20Mm: 2.4, r40Mm: 1.3, atMs: s.atMs }, unknown: null, targetMm: 2 }, freezeVerdicts: verdicts }));
    const page = await open(f);
    await page.locator('#ice-lethal', { hasText: 'r(-20 °C) 2.4 mm' }).waitFor();
    expect(await text(page, '#ice-ball .label')).toBe('ICE BALL · MODEL ESTIMATE');
    expect(await text(page, '#ice-target')).toBe('/ target 2.0');
    expect(await text(page, '#ice-others')).toBe('r(0 °C) 4.1 · r(-40 °C) 1.3 mm');
    expect(await page.locator('#verdicts .verdict').allInnerTexts()).toEqual([
      '#1 effective',
      '#2 NOT effective',
      '#3 NOT effective',
      '#4 effective',
      '#5 effective',
    ]);
    expect(await page.locator('#verdicts .verdict.ineffective').allInnerTexts()).toEqual(['#2 NOT effective', '#3 NOT effective']);
    // Every line of the column inside it (five cycles, the most there are, and two two-line alarms
    // taking the height they may): none runs into the trend, none is cut off above the alarm list,
    // and the tip label is not pushed off the top.
    const column = (await page.locator('.tip').boundingBox())!;
    expect(column.y + column.height).toBeLessThanOrEqual((await page.locator('#alarms').boundingBox())!.y + 0.5);
    for (const selector of ['.tip > .label', '#withdrawal', '.ice-lethal', '#ice-others', '#verdicts .verdict']) {
      const overflowPx = await page.evaluate<number[]>(horizontalOverflowOf(selector));
      expect(overflowPx.length, selector).toBeGreaterThan(0);
      for (const px of overflowPx) expect(px, selector).toBeLessThanOrEqual(0);
      for (const line of await page.locator(selector).all()) {
        const box = (await line.boundingBox())!;
        expect(box.x + box.width, selector).toBeLessThanOrEqual(column.x + column.width + 0.5);
        expect(box.y + box.height, selector).toBeLessThanOrEqual(column.y + column.height + 0.5);
        expect(box.y, selector).toBeGreaterThanOrEqual(column.y - 0.5);
      }
    }
    // The estimate gone (tip not trusted): a dash and why, never the last radii.
    f.script((s) => ({ ...s, iceBall: { estimate: null, unknown: 'tip: reading not trusted: SENSOR_STUCK', targetMm: 2 } }));
    await page.locator('#ice-lethal', { hasText: 'r(-20 °C) —' }).waitFor();
    expect(await text(page, '#ice-others')).toBe('tip: reading not trusted: SENSOR_STUCK');
    await page.context().close();
  });

  it('shows SAFE TO WITHDRAW when the controller says so', async () => {
    const f = await fake();
    f.script(() => ({ ...idleSnapshot({ phase: 'Complete', cycle: 2, tipC: 12.4 }), withdrawal: { safe: true, text: 'SAFE TO WITHDRAW' } }));
    const page = await open(f);
    await page.locator('#phase', { hasText: 'COMPLETE' }).waitFor();
    expect((await computed(page, '#withdrawal')).background).toBe(SAFE_GREEN);
    await page.context().close();
  });

  it('says "connection lost" within 1 s of the server closing, hides the values, and comes back by itself', async () => {
    const f = await fake();
    const port = Number(new URL(f.server.url).port);
    const page = await openConsolePage(browser, f.server.url, undefined, LINK_CLOCK_PROBE);
    await f.close();
    consoles = [];
    await page.locator('#link', { hasText: 'CONNECTION LOST' }).waitFor({ timeout: UI_MS });
    // The deadline on the page's own clock, from the last message it had (before the close).
    expect((await page.evaluate<number[]>(LOST_AFTER_SILENT_MS)).at(-1)).toBeLessThan(CONNECTION_LOST_WITHIN_MS);
    expect((await computed(page, '#tip')).visibility).toBe('hidden');
    expect(await page.locator('#stop').isDisabled()).toBe(true);
    await fake({ port, first: freezing(-40) });
    await page.locator('#link', { hasText: 'LIVE' }).waitFor({ timeout: 5_000 });
    await page.locator('#phase', { hasText: 'FREEZING' }).waitFor();
    expect((await computed(page, '#tip')).visibility).toBe('visible');
    await page.context().close();
  });

  it('says "connection lost" within 1 s when the server stops publishing with the socket open', async () => {
    const f = await fake();
    const page = await openConsolePage(browser, f.server.url, undefined, LINK_CLOCK_PROBE);
    f.pause();
    await page.locator('#link', { hasText: 'CONNECTION LOST' }).waitFor({ timeout: UI_MS });
    // The deadline on the page's own clock, from the last snapshot it had.
    expect((await page.evaluate<number[]>(LOST_AFTER_SILENT_MS)).at(-1)).toBeLessThan(CONNECTION_LOST_WITHIN_MS);
    await page.context().close();
  });

  it('gives a remote client without the token a read-only page, and the server refuses its start', async () => {
    const f = await fake({ classify: () => 'remote' });
    const page = await open(f);
    await page.locator('#access', { hasText: 'read-only' }).waitFor();
    for (const id of ['#start', '#stop', '#acknowledge', '#audio-pause']) expect(await page.locator(id).isDisabled()).toBe(true);
    const reply = await page.evaluate<string>(START_FROM_PAGE);
    expect(reply).toMatch(/^read-only/);
    expect(f.commands).toEqual([]);
    await page.context().close();
  });

  it('gives a remote client with the token stop and acknowledge, but not start nor audio pause (kiosk only)', async () => {
    const dataDir = newDataDir();
    const f = await startFakeConsole(dataDir, { classify: () => 'remote' });
    consoles.push(f);
    const page = await openConsolePage(browser, `${f.server.url}?token=${readOrCreateToken(dataDir)}`);
    await page.locator('#access', { hasText: 'only from the console itself' }).waitFor();
    for (const id of ['#stop', '#acknowledge']) expect(await page.locator(id).isDisabled()).toBe(false);
    for (const id of ['#start', '#audio-pause']) expect(await page.locator(id).isDisabled()).toBe(true);
    await page.locator('#stop').click();
    await expect.poll(() => f.commands.map((c) => [c.command.type, c.origin]), { timeout: UI_MS }).toEqual([['stop', 'remote']]);
    await page.context().close();
  });
});
