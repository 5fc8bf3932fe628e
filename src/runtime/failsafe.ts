// Process-level fail-safe: the valves close on exit, on every signal whose default action would
// end the process, on an uncaught exception and on an unhandled rejection, whatever the rest of
// the program was doing. SIGUSR1 is held too: Node's default opens a debugger port on it.
import type { Hal } from '../../hal/contract.js';
import type { Logger } from '../../kernel/log.js';

/** Exit status after a crash (distinct from 2, a bad argument). */
export const CRASH_EXIT_CODE = 70;

/** Signals that end a Node process by default: each puts the outputs in the safe state and then
 * stops the console cleanly. SIGHUP is the terminal closing (Node's default exits 129 at once). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR2'];

/** Node's default for SIGUSR1 starts the inspector on 127.0.0.1:9229: anyone on the machine who
 * can signal the process could then run code in a console that drives gas valves. A listener in
 * JS replaces that default (checked on Node 20: tests/runtime.test.ts), so SIGUSR1 only logs. */
export function holdDebugSignal(onSignal: () => void): () => void {
  const listener = (): void => {
    onSignal();
  };
  process.on('SIGUSR1', listener);
  return () => {
    process.off('SIGUSR1', listener);
  };
}

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
  const releaseDebugSignal = holdDebugSignal(() => {
    logger.warn({ signal: 'SIGUSR1' }, 'SIGUSR1 ignored: the debugger cannot be opened on a running console');
  });
  process.on('exit', safe);
  for (const sig of STOP_SIGNALS) process.on(sig, signal);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    dispose() {
      process.off('exit', safe);
      for (const sig of STOP_SIGNALS) process.off(sig, signal);
      releaseDebugSignal();
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}
