// Exit statuses of the `cryo` command.
/** A bad argument or input file: the message names it. */
export const EXIT_USAGE = 2;
export const EXIT_OK = 0;

/** A bad command-line argument; the message names the option and the value. */
export class UsageError extends Error {}
