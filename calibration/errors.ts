// Typed errors of the calibration records. Each names the file and says what to do.

/** No calibration file for the probe. */
export class CalibrationMissingError extends Error {
  constructor(
    readonly path: string,
    readonly probeId: string,
  ) {
    super(`${path}: no calibration for probe '${probeId}': calibrate it (cryo calibrate --probe ${probeId})`);
  }
}

/** A calibration file that cannot be trusted: unreadable, not JSON, off-schema, edited or inconsistent. */
export class CalibrationCorruptError extends Error {
  /** What is wrong, without the path: one line per problem. */
  readonly reason: string;
  constructor(
    readonly path: string,
    problems: readonly string[],
  ) {
    super(problems.map((p) => `${path}: ${p}`).join('\n'));
    this.reason = problems.join('; ');
  }
}

/** A fit that did not pass its acceptance limits: it must not become a record. */
export class CalibrationRejectedError extends Error {
  constructor(
    readonly probeId: string,
    readonly reasons: readonly string[],
  ) {
    super(`probe '${probeId}': calibration rejected: ${reasons.join('; ')}`);
  }
}

/** A probe id that cannot name a file safely. */
export class ProbeIdError extends Error {
  constructor(readonly probeId: string) {
    super(`probe id ${quoteProbeId(probeId)}: must be 1-64 characters of letters, digits, '.', '_' or '-', and not '.' or '..'`);
  }
}

/** 'id' when it is printable ASCII, else a JSON string, so a NUL or a newline in an id shows as \u0000 or \n. */
export function quoteProbeId(probeId: string): string {
  return /^[\x20-\x7e]*$/.test(probeId) ? `'${probeId}'` : JSON.stringify(probeId);
}

/** A record file that could not be written; the target is untouched. */
export class CalibrationWriteError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`${path}: cannot write calibration: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The console's calibration key is missing, unreadable, damaged or readable by others. */
export class CalibrationKeyError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    /** True when the key file does not exist (no record was ever signed here). */
    readonly missing = false,
  ) {
    super(`${path}: ${problem}`);
  }
}
