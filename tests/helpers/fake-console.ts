// A scripted stand-in for the control loop behind the console server (issue 9): it publishes
// Snapshot objects at SNAPSHOT_PERIOD_MS and records the commands the server forwards. The
// snapshot is whatever the test sets; nothing here models the controller.
import { SNAPSHOT_PERIOD_MS } from '../../src/console/protocol.js';
import type { AlarmConditionView, ClientOrigin, ConsoleCommand, Snapshot } from '../../src/console/protocol.js';
import { startConsoleServer } from '../../src/console/server/index.js';
import type { ConsoleServer, ConsoleServerOptions } from '../../src/console/server/index.js';
import { startTargets } from '../../src/console/snapshot.js';
import { parseSettings } from '../../src/controller/settings.js';
import { runDefaultsOf } from '../../src/runtime/loop.js';

/** The default audio pause (settings alarms.audioPauseS), as the controller reports it. */
export const AUDIO_PAUSE_MAX_MS = 120_000;

const PERCENTILES = { p50Ms: 0.1, p99Ms: 0.4, p999Ms: 0.9, maxMs: 1.2, late: 0, ticks: 1000 };

/** The run behind the idle snapshot's start targets: its protocol's figures, no target nerve, the
 * default 2 mm target everywhere. */
const IDLE_RUN_SETTINGS = parseSettings({ protocol: { cycles: 2, freezeS: 90, thawS: 60 } });

/** An Idle console on the simulated board, every field plausible. */
export function idleSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 0,
    atMs: 0,
    board: 'sim',
    phase: 'Idle',
    cycle: 0,
    protocol: { cycles: 2, freezeS: 90, thawS: 60 },
    secondsLeft: null,
    tipC: 36.5,
    tipFault: null,
    supplyBarGauge: 55.2,
    returnBarAbs: 1.02,
    pressureFault: null,
    outputs: { supplyValveOpen: false, safetyValveOpen: false, buzzer: false, lamps: { high: false, medium: false, low: false } },
    withdrawal: { safe: true, text: 'SAFE TO WITHDRAW' },
    estop: false,
    footswitch: false,
    alarms: { conditions: [], audioPausedMs: null, audioPauseMaxMs: AUDIO_PAUSE_MAX_MS, info: null },
    loop: { rateHz: 50, lateThresholdMs: 5, sinceStart: PERCENTILES, lastMinute: PERCENTILES, missed: 0 },
    limits: {
      cycles: { min: 1, max: 5 },
      freezeS: { min: 10, max: 180 },
      thawS: { min: 10, max: 120 },
      presets: { standard: { cycles: 2, freezeS: 90, thawS: 60 }, short: { cycles: 1, freezeS: 60, thawS: 30 } },
    },
    startTargets: startTargets(IDLE_RUN_SETTINGS, runDefaultsOf(IDLE_RUN_SETTINGS)),
    iceBall: { estimate: null, unknown: 'no estimate running', targetMm: null },
    freezeVerdicts: [],
    events: [],
    ...overrides,
  };
}

export function alarm(id: string, priority: AlarmConditionView['priority'], overrides: Partial<AlarmConditionView> = {}): AlarmConditionView {
  return {
    id,
    priority,
    active: true,
    startMs: 1_000,
    endMs: null,
    detail: `${id} detail`,
    hint: `${id} hint`,
    acknowledged: false,
    latched: false,
    visual: 'on',
    audible: overrides.acknowledged === true ? 'acknowledged' : 'on',
    ...overrides,
  };
}

export interface RecordedCommand {
  readonly command: ConsoleCommand;
  readonly origin: ClientOrigin;
  readonly client: string;
}

export interface FakeConsole {
  readonly server: ConsoleServer;
  readonly commands: RecordedCommand[];
  readonly logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
  /** The next snapshots published are `next(previous)`, seq and atMs advanced by the helper. */
  script(next: (previous: Snapshot) => Snapshot): void;
  /** Stops publishing (the loop gone silent) without closing the server. */
  pause(): void;
  close(): Promise<void>;
}

export async function startFakeConsole(
  dataDir: string,
  extra: Pick<ConsoleServerOptions, 'classify' | 'defaultTarget' | 'nowMs'> & { first?: Snapshot; port?: number } = {},
): Promise<FakeConsole> {
  const commands: RecordedCommand[] = [];
  const logs: FakeConsole['logs'] = [];
  const server = await startConsoleServer({
    host: '127.0.0.1',
    port: extra.port ?? 0,
    dataDir,
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
    onCommand: (command, origin, client) => commands.push({ command, origin, client }),
    ...(extra.classify === undefined ? {} : { classify: extra.classify }),
    ...(extra.defaultTarget === undefined ? {} : { defaultTarget: extra.defaultTarget }),
    ...(extra.nowMs === undefined ? {} : { nowMs: extra.nowMs }),
  });
  let current = extra.first ?? idleSnapshot();
  let next: (previous: Snapshot) => Snapshot = (s) => s;
  server.publish(current);
  const timer = setInterval(() => {
    const s = next(current);
    current = { ...s, seq: current.seq + 1, atMs: current.atMs + SNAPSHOT_PERIOD_MS };
    server.publish(current);
  }, SNAPSHOT_PERIOD_MS);
  return {
    server,
    commands,
    logs,
    script: (f) => {
      next = f;
    },
    pause: () => {
      clearInterval(timer);
    },
    close: async () => {
      clearInterval(timer);
      await server.close();
    },
  };
}
