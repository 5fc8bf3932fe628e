// What the loop does with a console command, at the start of a tick (issue 9): each becomes an
// operator press for the pure step at that tick, like a button; nothing bypasses the step. A
// start carries its protocol, applied only between treatments and only when the settings schema
// accepts it. Start and audio pause are kiosk-only: from anywhere but this machine they are
// refused here as well as in the console worker (defence in depth). An audio pause silences
// every alarm in the room for minutes: only someone in front of the console may ask for it.
import type { Logger } from '../../kernel/log.js';
import { PRESETS } from '../controller/settings.js';
import type { PresetName, Protocol } from '../controller/settings.js';
import type { TreatmentTarget } from '../records/types.js';
import { describeTarget } from '../records/nerves.js';
import type { ConsolePress, ProtocolRefusal } from '../runtime/loop.js';
import type { ClientOrigin, ConsoleCommand, ConsoleCommandType, ProtocolChoice } from './protocol.js';

/** Commands accepted only from the console's own screen (loopback), even with the token. */
export const KIOSK_ONLY_COMMANDS: readonly ConsoleCommandType[] = ['start', 'audio-pause'];

/** Null when `command` may come from `origin`; otherwise the log line of its refusal (here and in
 * the console worker). */
export function kioskOnlyRefusal(command: ConsoleCommandType, origin: ClientOrigin, client: string): string | null {
  if (origin === 'loopback' || !KIOSK_ONLY_COMMANDS.includes(command)) return null;
  const name = command === 'audio-pause' ? 'audio pause' : command;
  return `console ${name} from ${client} refused: ${name} is accepted only from this machine's own screen`;
}

/** The part of the control loop a command reaches. */
export interface CommandTarget {
  consolePress(press: ConsolePress): void;
  setProtocol(protocol: Protocol): ProtocolRefusal;
  /** Why a start's target nerve cannot be used (ControlLoop.nerveRefusal), naming the field and
   * value; null when it can. Changes nothing. */
  nerveRefusal(nerveId: string): string | null;
  /** The nerve whose target radius judges the freezes of the treatment this start begins
   * (ControlLoop.useNerve); null: the run's (`--target`). */
  useNerve(nerveId: string | null): void;
  /** The target nerve and side the treatment this start begins records (RecordsLink.useTarget);
   * null: the run's default (`--target`). Absent when no records are kept. */
  useTarget?(target: TreatmentTarget | null): void;
}

/** A preset by name or cycles/freeze/thaw, as a protocol; a string naming what is wrong otherwise.
 * Bounds are left to the settings schema (withProtocol), the one place they live. */
export function protocolOf(choice: ProtocolChoice): Protocol | string {
  if ('preset' in choice) {
    const name = choice.preset;
    if (!Object.hasOwn(PRESETS, name)) return `protocol.preset: unknown preset '${name}' (known: ${Object.keys(PRESETS).join(', ')})`;
    return PRESETS[name as PresetName];
  }
  return { cycles: choice.cycles, freezeS: choice.freezeS, thawS: choice.thawS };
}

/** Applies one console command to the loop; every refusal is logged with its reason and changes nothing. */
export function applyConsoleCommand(target: CommandTarget, command: ConsoleCommand, origin: ClientOrigin, client: string, logger: Logger): void {
  const who = { client, origin, command: command.type };
  const refusal = kioskOnlyRefusal(command.type, origin, client);
  if (refusal !== null) {
    logger.warn(who, refusal);
    return;
  }
  switch (command.type) {
    case 'start': {
      const protocol = protocolOf(command.protocol);
      if (typeof protocol === 'string') {
        logger.warn(who, `console start from ${client} refused: ${protocol}`);
        return;
      }
      const chosen = command.target ?? null;
      // The nerve first: a start whose nerve is refused changes nothing, its protocol included.
      const nerveProblem = chosen === null ? null : target.nerveRefusal(chosen.nerveId);
      if (nerveProblem !== null) {
        logger.warn(who, `console start from ${client} refused: ${nerveProblem}`);
        return;
      }
      const notApplied = target.setProtocol(protocol);
      // Under way, the press still reaches the step, which refuses or ignores a start itself. A
      // protocol refused as invalid, or because cycles have begun at this site with another one,
      // presses nothing: a start with the old protocol is not what the operator confirmed.
      if (notApplied !== null && notApplied.kind !== 'under-way') {
        logger.warn(who, `console start from ${client} refused: ${notApplied.reason}`);
        return;
      }
      if (notApplied !== null) {
        logger.warn(who, `console protocol from ${client} not applied: ${notApplied.reason}`);
      } else {
        // Only a start that may begin a treatment names its target: one under way begins none. The
        // verdict judges that treatment's freezes against its nerve's radius, as the records name it.
        target.useNerve(chosen?.nerveId ?? null);
        target.useTarget?.(chosen);
        const on = chosen === null ? '' : ` on ${describeTarget(chosen)}`;
        logger.info({ ...who, protocol, target: chosen }, `console start from ${client}: ${protocol.cycles} x ${protocol.freezeS} s freeze / ${protocol.thawS} s thaw${on}`);
      }
      target.consolePress('start');
      return;
    }
    case 'stop':
    case 'acknowledge':
      logger.info(who, `console ${command.type} from ${client}`);
      target.consolePress(command.type);
      return;
    case 'audio-pause':
      // The step's audio pause (src/controller/alarm-signals.ts): a press starts it, a second
      // press ends it, as with the console's hardware key.
      logger.info(who, `console audio pause from ${client}`);
      target.consolePress('audioPause');
      return;
  }
}
