// The passive-thaw table of docs/hil.md "Bounds on safe to withdraw": the plant's tissue (default
// parameters) frozen once for F seconds from 37 C, then left with no gas, until the true tip is
// above a mark. Run: npx tsx scripts/thaw-table.ts
import { Plant } from '../hil/plant/index.js';

/** Plant advance per call; the heartbeat toggles on each so the watchdog keeps valve power on. */
const STEP_MS = 10;
/** Resolution of the thaw figure. */
const POLL_MS = 100;
/** Give up after this long without reaching the mark. */
const MAX_THAW_MS = 3_000_000;
/** thaw.withdrawMarginC (default) and 3 C above it (a probe reading 3 C cold). */
const MARKS_C = [2, 5];
const FREEZES_S = [10, 20, 30, 40, 50, 60, 90, 120, 180, 240, 270, 300, 360];

function thawS(freezeS: number, markC: number): number {
  const plant = new Plant({}, 0);
  let heartbeat = false;
  const run = (ms: number, open: boolean): void => {
    for (let t = 0; t < ms; t += STEP_MS) {
      heartbeat = !heartbeat;
      plant.heartbeat(heartbeat);
      plant.commandValves(open, open);
      plant.advance(STEP_MS);
    }
  };
  run(freezeS * 1000, true);
  let waitedMs = 0;
  while (plant.tipTrueC <= markC && waitedMs < MAX_THAW_MS) {
    run(POLL_MS, false);
    waitedMs += POLL_MS;
  }
  return waitedMs / 1000;
}

for (const markC of MARKS_C) {
  console.log(`passive thaw to +${markC} C after one freeze of F s:`);
  for (const freezeS of FREEZES_S) console.log(`  F ${freezeS} s: ${thawS(freezeS, markC).toFixed(0)} s`);
}
