// The loop thread's side of the console, as `cryo run` uses it (issue 9): at the start of each
// scheduler period the queued commands go to the loop; each tick's timing is recorded; the
// controller's events go into a bounded ring; every SNAPSHOT_PERIOD_MS of wall time one snapshot
// is built and offered to the link (which holds at most one back). Nothing here awaits, and
// nothing is allocated per client: the worker fans snapshots out.
import type { Outputs, Readings } from '../../hal/contract.js';
import { LoopTiming } from '../../kernel/loop-timing.js';
import type { LoopTimingSummary } from '../../kernel/loop-timing.js';
import type { Logger } from '../../kernel/log.js';
import type { TickInfo } from '../../kernel/scheduler/index.js';
import type { Settings } from '../controller/settings.js';
import type { ControllerState } from '../controller/state.js';
import type { StepResult } from '../controller/step.js';
import type { RunDefaults } from '../runtime/loop.js';
import { applyConsoleCommand } from './commands.js';
import type { CommandTarget } from './commands.js';
import type { TreatmentTarget } from '../records/types.js';
import type { ConsoleLink } from './link.js';
import { SNAPSHOT_PERIOD_MS } from './protocol.js';
import { EventRing, buildSnapshot, loopHealth } from './snapshot.js';

/** What the publisher reads of the control loop. */
export interface PublishedLoop extends CommandTarget {
  readonly state: ControllerState;
  readonly settings: Settings;
  readonly runDefaults: RunDefaults;
  readonly lastOutputs: Outputs;
}

export interface ConsolePublisherOptions {
  /** Null with --no-web: the timing is still measured (and logged at the end). */
  readonly link: ConsoleLink | null;
  readonly board: string;
  readonly rateHz: number;
  readonly lateThresholdMs: number;
  readonly logger: Logger;
  /** The treatment records, told the target a console start chose; null when none are kept. */
  readonly records?: { useTarget(target: TreatmentTarget | null): void } | null;
}

export class ConsolePublisher {
  readonly timing: LoopTiming;
  readonly #o: ConsolePublisherOptions;
  readonly #events = new EventRing();
  #seq = 0;
  /** Wall time the next snapshot is due; on a fixed grid of SNAPSHOT_PERIOD_MS from the first. */
  #nextPublishMs = Number.NEGATIVE_INFINITY;

  constructor(options: ConsolePublisherOptions) {
    this.#o = options;
    this.timing = new LoopTiming(options.lateThresholdMs);
  }

  /** Start of a scheduler period: the console's commands become presses for the coming tick. */
  beginPeriod(loop: PublishedLoop, tick: TickInfo): void {
    this.timing.record(tick.startedMs, tick.lateMs, tick.missedBefore);
    const records = this.#o.records ?? null;
    this.#o.link?.drainCommands((command, origin, client) => {
      const target: CommandTarget = {
        consolePress: (press) => {
          loop.consolePress(press);
        },
        setProtocol: (protocol) => loop.setProtocol(protocol),
        nerveRefusal: (nerveId) => loop.nerveRefusal(nerveId),
        useNerve: (nerveId) => {
          loop.useNerve(nerveId);
        },
        ...(records === null ? {} : { useTarget: (t: TreatmentTarget | null) => { records.useTarget(t); } }),
      };
      applyConsoleCommand(target, command, origin, client, this.#o.logger);
    });
  }

  /** After each control tick: keep its events for the page. */
  onStep(result: StepResult): void {
    if (this.#o.link === null) return;
    for (const e of result.events) this.#events.push(e);
  }

  /** End of a scheduler period: a snapshot every SNAPSHOT_PERIOD_MS of wall time. */
  endPeriod(wallNowMs: number, loopNowMs: number, loop: PublishedLoop, readings: Readings | null): void {
    const link = this.#o.link;
    if (link === null) return;
    link.poll();
    if (wallNowMs < this.#nextPublishMs) return;
    // The next is due one period after this one was due, not after now: a period's end jitters by
    // a fraction of a tick, and timing from now would lose that each time (about 9 a second at
    // 50 Hz). More than a period behind (a stalled loop), the grid starts again from now: one
    // snapshot, never a burst to catch up.
    const nextMs = this.#nextPublishMs + SNAPSHOT_PERIOD_MS;
    this.#nextPublishMs = nextMs > wallNowMs ? nextMs : wallNowMs + SNAPSHOT_PERIOD_MS;
    link.publish(
      buildSnapshot({
        seq: ++this.#seq,
        nowMs: loopNowMs,
        board: this.#o.board,
        state: loop.state,
        settings: loop.settings,
        run: loop.runDefaults,
        readings,
        outputs: loop.lastOutputs,
        loop: loopHealth(this.timing.summary(wallNowMs), this.#o.rateHz, this.#o.lateThresholdMs),
        events: this.#events.list(),
      }),
    );
  }

  summary(wallNowMs: number): LoopTimingSummary {
    return this.timing.summary(wallNowMs);
  }
}
