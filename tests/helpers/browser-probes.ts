// Functions the browser tests run inside the page. They are JavaScript text because the tests'
// TypeScript program is Node's (no DOM lib); playwright evaluates them in the page.

/** The computed style of the first element matching `selector`: animation name, period in s,
 * background colour, visibility. */
export const computedStyleOf = (selector: string): string => `(() => {
  const cs = getComputedStyle(document.querySelector(${JSON.stringify(selector)}));
  return { name: cs.animationName, durationS: Number.parseFloat(cs.animationDuration), background: cs.backgroundColor, visibility: cs.visibility };
})()`;

export interface ComputedStyleProbe {
  name: string;
  durationS: number;
  background: string;
  visibility: string;
}

/** () => the keyframe offset (0-1) where the named animation goes dark (opacity below 0.5). */
export const offOffsetOf = (animation: string): string => `(() => {
  for (const sheet of Array.from(document.styleSheets)) {
    for (const rule of Array.from(sheet.cssRules)) {
      if (rule instanceof CSSKeyframesRule && rule.name === ${JSON.stringify(animation)}) {
        const off = Array.from(rule.cssRules).find((k) => Number.parseFloat(k.style.opacity) < 0.5);
        return off === undefined ? null : Number.parseFloat(off.keyText) / 100;
      }
    }
  }
  return null;
})()`;

/** () => opacities of the high and low alarm sampled every 20 ms for 1.2 s. */
export const SAMPLE_ALARM_OPACITY = `new Promise((resolve) => {
  const highEl = document.querySelector('.alarm[data-priority="high"]');
  const lowEl = document.querySelector('.alarm[data-priority="low"]');
  const out = { high: [], low: [] };
  const started = performance.now();
  const sample = () => {
    out.high.push(Number.parseFloat(getComputedStyle(highEl).opacity));
    out.low.push(Number.parseFloat(getComputedStyle(lowEl).opacity));
    if (performance.now() - started < 1200) setTimeout(sample, 20);
    else resolve(out);
  };
  sample();
})`;

/** () => the reason the server gives a new socket from this page for a start. */
export const START_FROM_PAGE = `new Promise((resolve) => {
  const ws = new WebSocket('ws://' + location.host + '/ws');
  ws.onopen = () => ws.send(JSON.stringify({ type: 'start', protocol: { preset: 'standard' } }));
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.kind === 'refused') {
      ws.close();
      resolve(m.reason);
    }
  };
})`;

/** () => opacities of the first element matching `selector`, sampled every 20 ms for 1.2 s. */
export const sampleOpacityOf = (selector: string): string => `new Promise((resolve) => {
  const el = document.querySelector(${JSON.stringify(selector)});
  const out = [];
  const started = performance.now();
  const sample = () => {
    out.push(Number.parseFloat(getComputedStyle(el).opacity));
    if (performance.now() - started < 1200) setTimeout(sample, 20);
    else resolve(out);
  };
  sample();
})`;

/** How many px each element matching `selector` overflows its own box sideways (its text cut off
 * or spilling over its neighbour): scrollWidth - clientWidth, in document order. */
export const horizontalOverflowOf = (selector: string): string => `(() =>
  Array.from(document.querySelectorAll(${JSON.stringify(selector)})).map((el) => el.scrollWidth - el.clientWidth)
)()`;

/**
 * Init script: on the page's own clock (performance.now), how long each CONNECTION LOST on #link
 * came after the last message any of the page's sockets had received. A deadline such as
 * "connection lost within 1 s" is then measured where the page keeps it, not on the test
 * runner's clock, which a loaded machine can hold back between its own reading and the page's
 * change (the server here may be the runner itself, or a process it stops).
 */
export const LINK_CLOCK_PROBE = `(() => {
  let lastMessageAtMs = null;
  const lostAfterSilentMs = [];
  window.__lostAfterSilentMs = lostAfterSilentMs;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { lastMessageAtMs = performance.now(); });
    }
  };
  let shown = null;
  new MutationObserver(() => {
    const link = document.getElementById('link');
    const text = link === null ? null : link.textContent;
    if (text === 'CONNECTION LOST' && shown !== text && lastMessageAtMs !== null) lostAfterSilentMs.push(performance.now() - lastMessageAtMs);
    shown = text;
  }).observe(document, { subtree: true, childList: true, characterData: true });
})()`;

/** () => LINK_CLOCK_PROBE's readings: for each CONNECTION LOST shown after a message, the page's
 * ms since its last message, oldest first. */
export const LOST_AFTER_SILENT_MS = '[...window.__lostAfterSilentMs]';
