// Every signal of the platform whose default action would end or suspend the console is either a
// stop signal (the valves close and the console stops: tests/cli-signals.test.ts sends each one)
// or listed with the reason it is not (SIGNALS_NOT_STOPPING). A signal this table does not know
// fails the test, so a new one is decided on rather than left to its default.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { SIGNALS_NOT_STOPPING, STOP_SIGNALS } from '../src/runtime/failsafe.js';

/** Linux's default actions (signal(7)): terminate, core dump or stop the process. */
const ENDS_OR_SUSPENDS = new Set([
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGIOT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV',
  'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGXCPU', 'SIGXFSZ',
  'SIGVTALRM', 'SIGPROF', 'SIGIO', 'SIGPOLL', 'SIGPWR', 'SIGSYS', 'SIGUNUSED', 'SIGLOST',
]);
/** Ignored by default, or continue: nothing for the fail-safe to do. */
const HARMLESS = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH']);

const signals = os.constants.signals as Readonly<Record<string, number>>;
const numberOf = (name: string): number | undefined => signals[name];

describe('the fail-safe covers every signal', () => {
  it.each(Object.keys(signals))('%s is a stop signal, listed with its reason, or harmless by default', (name) => {
    if (HARMLESS.has(name)) return;
    expect(ENDS_OR_SUSPENDS.has(name), `${name}: not in this test's table of default actions`).toBe(true);
    // An alias (SIGIOT for SIGABRT, SIGPOLL for SIGIO) is covered by its signal's number.
    const covered = [...STOP_SIGNALS, ...Object.keys(SIGNALS_NOT_STOPPING)].some((other) => numberOf(other) === numberOf(name));
    expect(covered, `${name}: neither a stop signal nor in SIGNALS_NOT_STOPPING`).toBe(true);
  });

  it('lists no signal both ways, and every stop signal exists here and can be listened to', () => {
    for (const sig of STOP_SIGNALS) {
      expect(Object.keys(SIGNALS_NOT_STOPPING)).not.toContain(sig);
      expect(numberOf(sig), sig).toBeDefined();
      const listener = (): void => undefined;
      expect(() => process.on(sig, listener)).not.toThrow();
      process.off(sig, listener);
    }
  });

  it('stops on the signals the review found killing the console without a safe state', () => {
    // Stop 22's review: each of these ended cryo run mid-freeze with no safe state and no log.
    for (const sig of ['SIGALRM', 'SIGVTALRM', 'SIGXCPU', 'SIGPWR', 'SIGSTKFLT', 'SIGIO'] as const) {
      expect(STOP_SIGNALS).toContain(sig);
    }
  });

  it('leaves to their defaults the signals a listener would turn into something worse', () => {
    // The second review of stop 22: a caught SIGTTIN or SIGTTOU makes the kernel repeat the
    // background console's terminal call for ever (a busy loop deaf to every catchable signal);
    // a caught SIGPROF stops the console at the profiler's first sample; a caught real SIGTRAP or
    // SIGSYS lets the faulting code run on.
    for (const sig of ['SIGTTIN', 'SIGTTOU', 'SIGPROF', 'SIGTRAP', 'SIGSYS'] as const) {
      expect(STOP_SIGNALS).not.toContain(sig);
      expect(SIGNALS_NOT_STOPPING[sig]).toBeDefined();
    }
  });
});
