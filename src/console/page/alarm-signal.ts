// The visual alarm signals of IEC 60601-1-8 (shared/domain.md section 6). The flash period is
// set here; the duty cycle is in the keyframes of page.css (alarm-high: on 50 %, alarm-medium: on
// 40 %). tests/console-page.test.ts measures both in the browser against the standard's ranges.
import type { AlarmConditionView } from '../protocol.js';

/** High priority: red, flashing 1.4-2.8 Hz; 2 Hz is the middle of the range. */
export const HIGH_FLASH_PERIOD_MS = 500;
/** Medium priority: yellow, flashing 0.4-0.8 Hz with a 20-60 % duty; 0.6 Hz is the middle. */
export const MEDIUM_FLASH_PERIOD_MS = 1_667;

/** Applies the signal of a condition's priority to its element (low: cyan, steady). */
export function applyAlarmSignal(el: HTMLElement, priority: AlarmConditionView['priority']): void {
  el.classList.add(`alarm-${priority}`);
  if (priority === 'high') el.style.animation = `alarm-high ${HIGH_FLASH_PERIOD_MS}ms step-end infinite`;
  else if (priority === 'medium') el.style.animation = `alarm-medium ${MEDIUM_FLASH_PERIOD_MS}ms step-end infinite`;
  else el.style.animation = 'none';
}

const RANK: Readonly<Record<AlarmConditionView['priority'], number>> = { high: 0, medium: 1, low: 2 };

/** Highest priority first, then the newest. */
export function byPriority(a: AlarmConditionView, b: AlarmConditionView): number {
  return RANK[a.priority] - RANK[b.priority] || b.startMs - a.startMs;
}
