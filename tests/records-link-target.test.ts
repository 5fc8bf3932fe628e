// The target a console start chose reaches the treatment's record (issue 10), through the real
// records worker (the build's dist/src/records/worker.js) into a real store: RecordsLink.useTarget
// names the target of the next treatment only; a start without one records the run's --target;
// a start the step refuses does not leave its target for a later start (the hardware button's).
import { afterEach, describe, expect, it } from 'vitest';
import { SimHal } from '../hil/sim/sim-hal.js';
import { VirtualClock } from '../kernel/clock.js';
import { applyConsoleCommand } from '../src/console/commands.js';
import type { CommandTarget } from '../src/console/commands.js';
import { DEFAULT_SETTINGS, parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import type { TreatmentTarget } from '../src/records/types.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { RecordsLink } from '../src/runtime/records-link.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { capturingLogger } from './helpers/console-fixture.js';
import { RecordingHal, nominalHalReadings } from './helpers/recording-hal.js';
import { tempDirMaker } from './helpers/temp.js';

const WORKER_URL = new URL('../dist/src/records/worker.js', import.meta.url);
const PERIOD_MS = 20;
/** The store opens in well under this on a loaded machine. */
const OPEN_WAIT_MS = 10_000;
const RUN_DEFAULT: TreatmentTarget = { nerveId: 'lateral-femoral-cutaneous', side: 'left' };

const newDataDir = tempDirMaker('records-link-target-');
let links: RecordsLink[] = [];

afterEach(async () => {
  for (const l of links) await l.stop();
  links = [];
});

/** A records link on a fresh data dir and a virtual clock, stopped after the test. */
function newLink(settings: Settings) {
  const dataDir = newDataDir();
  const clock = new VirtualClock(0);
  const log = capturingLogger();
  const link = new RecordsLink(
    {
      workerUrl: WORKER_URL,
      dataDir,
      clock,
      wallNowMs: () => 1_780_000_000_000 + clock.nowMs(),
      logger: log.logger,
      context: { softwareVersion: 'test', boardName: 'sim', boardSha256: 'a'.repeat(64), target: RUN_DEFAULT, patientRef: null, operatorId: null, probe: () => ({ probeId: 'P1', calibrationId: null, calibrationChecksum: null }) },
    },
    settings,
  );
  links.push(link);
  return { dataDir, clock, log, link };
}

async function harness() {
  const { dataDir, clock, log, link } = newLink(DEFAULT_SETTINGS);
  const hardware = { stopHeld: false };
  const loop = new ControlLoop({
    hal: new RecordingHal((i) => {
      const reading = nominalHalReadings(i * PERIOD_MS);
      return hardware.stopHeld ? { ...reading, operator: { ...reading.operator, stop: true } } : reading;
    }),
    settings: DEFAULT_SETTINGS,
    logger: log.logger,
    startMs: 0,
    calibration: SIM_PROBE_CALIBRATION,
    onStep: (nowMs, readings, result) => {
      link.onStep(nowMs, readings, result);
    },
  });
  await link.start(OPEN_WAIT_MS);
  let n = 0;
  const ticks = (count: number): void => {
    for (let i = 0; i < count; i++) {
      clock.setMs(n * PERIOD_MS);
      loop.tick(n++ * PERIOD_MS);
    }
  };
  /** A start pressed and a stop after it: one short treatment, ended by the next start. */
  const treatment = (): void => {
    loop.consolePress('start');
    ticks(3);
    loop.consolePress('stop');
    ticks(3);
  };
  const targets = async (): Promise<(TreatmentTarget | null)[]> => {
    await link.stop();
    links = links.filter((l) => l !== link);
    const store = RecordsStore.open(recordsPath(dataDir), { readonly: true });
    try {
      return store.list().map((t) => t.target).reverse();
    } finally {
      store.close();
    }
  };
  return { link, loop, ticks, treatment, targets, hardware };
}

describe('the target a console start chose', () => {
  it('is recorded for the next treatment only; the one after records the run default', async () => {
    const h = await harness();
    h.link.useTarget({ nerveId: 'sural', side: 'right' });
    h.treatment();
    h.treatment();
    expect(await h.targets()).toEqual([{ nerveId: 'sural', side: 'right' }, RUN_DEFAULT]);
  });

  it('null (a start without a target) records the run default', async () => {
    const h = await harness();
    h.link.useTarget(null);
    h.treatment();
    expect(await h.targets()).toEqual([RUN_DEFAULT]);
  });

  it('is dropped when the step refuses the start: a later start records the run default', async () => {
    const h = await harness();
    h.hardware.stopHeld = true;
    h.link.useTarget({ nerveId: 'intercostal', side: 'left' });
    h.loop.consolePress('start');
    h.ticks(3);
    expect(h.loop.state.phase).toBe('Idle');
    h.hardware.stopHeld = false;
    h.ticks(2);
    h.treatment();
    expect(await h.targets()).toEqual([RUN_DEFAULT]);
  });
});

describe("a console start's target nerve in the records (review of issue 11, M2)", () => {
  it("records the cycle's r20_target_mm as that nerve's target radius, the one the verdict used", async () => {
    const SURAL_TARGET_MM = 3.5;
    const settings = parseSettings({ protocol: { cycles: 1, freezeS: 30, thawS: 10 }, iceBall: { targetRadiusMm: 2, targetRadiusByNerveMm: { sural: SURAL_TARGET_MM } } });
    const { dataDir, clock, log, link } = newLink(settings);
    const verdictTargets: number[] = [];
    const loop = new ControlLoop({
      hal: new SimHal({ clock, seed: 5, plant: {}, faults: [] }),
      settings,
      logger: log.logger,
      startMs: 0,
      calibration: SIM_PROBE_CALIBRATION,
      onStep: (nowMs, readings, result) => {
        for (const e of result.events) if (e.kind === 'freeze-verdict') verdictTargets.push(e.verdict.targetMm);
        link.onStep(nowMs, readings, result);
      },
      onSettings: (next) => {
        link.useSettings(next);
      },
    });
    await link.start(OPEN_WAIT_MS);
    // What the console publisher hands a command: the loop, and the records' target.
    const target: CommandTarget = {
      consolePress: (p) => {
        loop.consolePress(p);
      },
      setProtocol: (p) => loop.setProtocol(p),
      nerveRefusal: (id) => loop.nerveRefusal(id),
      useNerve: (id) => {
        loop.useNerve(id);
      },
      useTarget: (t) => {
        link.useTarget(t);
      },
    };
    applyConsoleCommand(target, { type: 'start', protocol: { cycles: 1, freezeS: 30, thawS: 10 }, target: { nerveId: 'sural', side: 'right' } }, 'loopback', 'kiosk', log.logger);
    for (let t = 0; loop.state.phase !== 'Complete' && t <= 120_000; t += PERIOD_MS) {
      clock.setMs(t);
      loop.tick(t);
    }
    expect(verdictTargets).toEqual([SURAL_TARGET_MM]);
    await link.stop();
    links = links.filter((l) => l !== link);
    const store = RecordsStore.open(recordsPath(dataDir), { readonly: true });
    try {
      const record = store.get(1);
      expect(record?.start.target).toEqual({ nerveId: 'sural', side: 'right' });
      expect(record?.cycles.map((c) => c.verdict?.targetMm)).toEqual([SURAL_TARGET_MM]);
    } finally {
      store.close();
    }
  });
});
