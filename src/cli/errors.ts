// Exit statuses of the `cryo` command.
/** A bad argument or input file: the message names it. */
export const EXIT_USAGE = 2;
export const EXIT_OK = 0;
/** `cryo run` stopped (a signal, or q) while a treatment was under way or before its probe was safe
 * to withdraw; the valves were put in the safe state. A quit with no treatment under way exits 0. */
export const EXIT_INTERRUPTED = 3;

/** A file or folder the system refused (a data directory that is a file, no permission): one line. */
export const EXIT_SYSTEM = 1;
/** `cryo run`: the board or the front-end did not connect (sysexits EX_UNAVAILABLE); valves safe. */
export const EXIT_UNAVAILABLE = 69;

/** An expected failure that is not a bad argument (a board that does not connect): one line, no
 * stack trace, its own exit status. */
export class ConsoleError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A bad command-line argument; the message names the option and the value. */
export class UsageError extends Error {}

/** `cryo records verify`: a row does not match its hash chain (sysexits EX_DATAERR). */
export const EXIT_DATA = 65;
