// What the browser tests share (issue 9, section 4): Debian's chromium driven headless by
// playwright-core, the kiosk's 800x480 viewport, the IEC 60601-1-8 visual signal ranges and the
// docs/console.md screenshots.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_EXECUTABLE } from '../../hil/prerequisites.js';

/** The kiosk's touchscreen (issue 9: an 800x480 screen read from 2 m). */
export const VIEWPORT = { width: 800, height: 480 } as const;
/** issue 9: "connection lost" within 1 s of the server going away. */
export const CONNECTION_LOST_WITHIN_MS = 1_000;
/** IEC 60601-1-8 visual signal ranges (shared/domain.md section 6). */
export const HIGH_HZ = [1.4, 2.8] as const;
export const MEDIUM_HZ = [0.4, 0.8] as const;
export const MEDIUM_DUTY = [0.2, 0.6] as const;
/** The page's IEC colours (src/console/page/style.css), as getComputedStyle reports them. */
export const HIGH_RED = 'rgb(229, 57, 53)';
export const SAFE_GREEN = 'rgb(46, 125, 50)';

/** One headless chromium for a test file (root needs --no-sandbox). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, headless: true, args: ['--no-sandbox'] });
}

/** A fresh context at the kiosk's size, on `url`, once the page says it is live; `initScript`
 * runs in the page before its own scripts (a probe such as LINK_CLOCK_PROBE). */
export async function openConsolePage(browser: Browser, url: string, timeoutMs?: number, initScript?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  if (initScript !== undefined) await page.addInitScript(initScript);
  await page.goto(url);
  await page.locator('#link', { hasText: 'LIVE' }).waitFor(timeoutMs === undefined ? {} : { timeout: timeoutMs });
  return page;
}

/**
 * docs/img/console-NAME.png for docs/console.md: written when missing, or every time with
 * UPDATE_SCREENSHOTS=1. They change with timing, so an ordinary run never rewrites the tree.
 * Animations stopped: an alarm is shown lit, not caught in its dark half.
 */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  const path = `docs/img/console-${name}.png`;
  if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(path)) await page.screenshot({ path, animations: 'disabled' });
}
