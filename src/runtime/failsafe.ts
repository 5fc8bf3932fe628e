// Process-level fail-safe: the valves close on exit, on SIGINT/SIGTERM, on an uncaught exception
// and on an unhandled rejection, whatever the rest of the program was doing.
import type { Hal } from '../../hal/contract.js';
import type { Logger } from '../log.js';

/** Exit status after a crash (distinct from 2, a bad argument). */
export const CRASH_EXIT_CODE = 70;

export interface Failsafe {
  /** Remove the handlers (tests; a normal shutdown path calls hal.toSafeState itself). */
  dispose(): void;
}

export function installFailsafe(hal: Hal, logger: Logger, onSignal: (signal: NodeJS.Signals) => void): Failsafe {
  const safe = (): void => {
    try {
      hal.toSafeState();
    } catch {
      // toSafeState must never throw; if a back-end breaks that rule there is nothing more to do.
    }
  };
  const crash = (kind: string) => (err: unknown) => {
    safe();
    logger.fatal({ err }, `${kind}: outputs put in the safe state, exiting`);
    process.exit(CRASH_EXIT_CODE);
  };
  const onException = crash('uncaught exception');
  const onRejection = crash('unhandled rejection');
  const signal = (sig: NodeJS.Signals): void => {
    safe();
    logger.info({ signal: sig }, `${sig}: outputs put in the safe state`);
    onSignal(sig);
  };
  process.on('exit', safe);
  process.on('SIGINT', signal);
  process.on('SIGTERM', signal);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    dispose() {
      process.off('exit', safe);
      process.off('SIGINT', signal);
      process.off('SIGTERM', signal);
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}
