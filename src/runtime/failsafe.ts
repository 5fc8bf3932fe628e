// Process-level fail-safe: the valves close on exit, on every signal whose default action would
// end or suspend the process, on an uncaught exception and on an unhandled rejection, whatever the
// rest of the program was doing. SIGUSR1 is held too: Node's default opens a debugger port on it.
import os from 'node:os';
import type { Hal } from '../../hal/contract.js';
import type { Logger } from '../../kernel/log.js';

/** Exit status after a crash (distinct from 2, a bad argument). */
export const CRASH_EXIT_CODE = 70;

/**
 * How long a crash waits, with the control loop stopped, before the process exits: the safe
 * state's writes to a serial board leave asynchronously (hal/firmata), and an exit at once dropped
 * them (the valves then closed only when the board reset on the port closing, or when the watchdog
 * cut their power; review of stop 22). The safe state is a few Firmata messages of 3 bytes, about
 * 4 ms at StandardFirmata's 57600 baud: 100 ms leaves room for a busy event loop and stays well
 * inside the hardware watchdog's timeout, which is the backstop if even this fails.
 */
export const CRASH_DRAIN_MS = 100;

/**
 * Linux signals whose default action ends the process (terminate or core dump) or suspends it,
 * which a JS listener may catch, and which nothing but a sender outside uses: each puts the
 * outputs in the safe state and then stops the console cleanly. A console suspended by SIGTSTP
 * (sent with kill: the console's raw terminal mode turns Ctrl-Z off) would hold its valves as
 * last commanded until the watchdog acted, so it stops instead. SIGHUP is the terminal closing
 * (Node's default exits 129 at once). SIGABRT stops the console when another process sends it;
 * Node's own abort re-raises it with the default action, so that crash goes to the watchdog. Only
 * the names this platform has are listened to. What is left out, and why: SIGNALS_NOT_STOPPING.
 */
const STOP_SIGNAL_NAMES: readonly NodeJS.Signals[] = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGTERM',
  'SIGUSR2',
  'SIGABRT',
  'SIGALRM',
  'SIGVTALRM',
  'SIGXCPU',
  'SIGPWR',
  'SIGSTKFLT',
  'SIGIO',
  'SIGTSTP',
];

export const STOP_SIGNALS: readonly NodeJS.Signals[] = Object.freeze(STOP_SIGNAL_NAMES.filter((sig) => sig in os.constants.signals));

/** The signals that end or suspend a process by default but are not stop signals here, and why
 * (tests/failsafe-signals.test.ts checks every signal of the platform is one or the other). */
export const SIGNALS_NOT_STOPPING: Readonly<Partial<Record<NodeJS.Signals, string>>> = Object.freeze({
  SIGKILL: 'cannot be caught: the hardware watchdog cuts valve power when the heartbeat stops',
  SIGSTOP: 'cannot be caught: the hardware watchdog cuts valve power when the heartbeat stops',
  SIGBUS: 'a real one leaves the process unable to run JS listeners safely (Node): a crash, for the watchdog',
  SIGFPE: 'a real one leaves the process unable to run JS listeners safely (Node): a crash, for the watchdog',
  SIGSEGV: 'a real one leaves the process unable to run JS listeners safely (Node): a crash, for the watchdog',
  SIGILL: 'a real one leaves the process unable to run JS listeners safely (Node): a crash, for the watchdog',
  SIGTRAP: 'a real one is a trap the running code raised (a breakpoint instruction): a listener would let it run on past it; a crash, for the watchdog',
  SIGSYS: 'a real one is a system call the kernel refused (seccomp): a listener would let the code run on as if it had returned; a crash, for the watchdog',
  SIGPROF: "V8's sampling profiler (--cpu-prof) sends it hundreds of times a second: a listener would stop the console at its first sample",
  SIGTTIN: 'the kernel sends it to a background console that reads its terminal, and repeats the call for ever while a listener catches it (a busy loop that no other catchable signal can stop: review of stop 22); its default suspends the process, and the watchdog cuts valve power',
  SIGTTOU: 'the kernel sends it to a background console that sets or writes its terminal, and repeats the call for ever while a listener catches it (as SIGTTIN); its default suspends the process, and the watchdog cuts valve power',
  SIGUSR1: 'held: Node would open its debugger port; the console logs it and goes on (holdDebugSignal)',
  SIGPIPE: 'ignored by Node itself: a closed pipe fails the write instead (a lost terminal stops the console)',
  SIGXFSZ: 'ignored by Node itself: an oversized file fails the write instead',
});

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

/** Why the console is being stopped: a signal, or a crash (an uncaught exception or rejection). */
export type StopCause = NodeJS.Signals | 'crash';

/**
 * Installs the process-level handlers. `onStop` must stop the control loop (no tick may write the
 * outputs again) and let the console shut down; it is called on a stop signal, and on a crash,
 * after which the process exits CRASH_EXIT_CODE once CRASH_DRAIN_MS have passed, whatever the
 * shutdown is doing.
 */
export function installFailsafe(hal: Hal, logger: Logger, onStop: (cause: StopCause) => void): Failsafe {
  const safe = (): void => {
    try {
      hal.toSafeState();
    } catch {
      // toSafeState must never throw; if a back-end breaks that rule there is nothing more to do.
    }
  };
  let crashed = false;
  const crash = (kind: string) => (err: unknown) => {
    safe();
    if (crashed) {
      // The exit is already due: a second failure (often the shutdown's) only adds to the log.
      logQuietly(logger, err, `${kind} while exiting after a crash: outputs put in the safe state again`);
      return;
    }
    crashed = true;
    // The stop and the exit are set up before anything is logged: a logger that throws must not
    // skip them (the process would then exit at once, before the safe state's writes went out).
    let stopErr: unknown = null;
    try {
      onStop('crash');
    } catch (e) {
      stopErr = e;
    }
    // Not at once: the safe state's writes must reach a serial board first (CRASH_DRAIN_MS). The
    // timer keeps the process alive for them; the exit status is the crash's whatever else ends.
    setTimeout(() => {
      safe();
      process.exit(CRASH_EXIT_CODE);
    }, CRASH_DRAIN_MS);
    logQuietly(logger, err, `${kind}: outputs put in the safe state, exiting`);
    if (stopErr !== null) logQuietly(logger, stopErr, 'stopping the console after a crash failed: the exit still comes');
  };
  const onException = crash('uncaught exception');
  const onRejection = crash('unhandled rejection');
  const signal = (sig: NodeJS.Signals): void => {
    safe();
    logger.info({ signal: sig }, `${sig}: outputs put in the safe state`);
    onStop(sig);
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
      // After a crash the handlers stay until the exit: the shutdown the crash began disposes on
      // its way out, and a second failure after that must still exit CRASH_EXIT_CODE at the due
      // time, not by Node's default at once (review of stop 22).
      if (crashed) return;
      process.off('exit', safe);
      for (const sig of STOP_SIGNALS) process.off(sig, signal);
      releaseDebugSignal();
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}

/** A fatal line that never throws: the crash path must go on whatever the logger does. */
function logQuietly(logger: Logger, err: unknown, message: string): void {
  try {
    logger.fatal({ err }, message);
  } catch {
    // Nothing to report it to; the safe state and the exit do not depend on the log.
  }
}
