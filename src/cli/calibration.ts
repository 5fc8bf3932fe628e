// `cryo calibration`: fit reference points, and list, show and print probe calibration records.
// Bad arguments exit 2 (UsageError); a missing or corrupt record prints why and exits 1. The
// only clock read is `now`, passed in so tests can fix it.
import type { Command } from 'commander';
import { CalibrationCorruptError, CalibrationMissingError, ProbeIdError } from '../../calibration/errors.js';
import type { CalibrationPoint } from '../../calibration/fit.js';
import { DEFAULT_FIT_LIMITS, fitCalibration } from '../../calibration/fit.js';
import { renderCertificateHtml } from '../../calibration/report.js';
import { POINT_MAX_C, POINT_MIN_C, futureDateProblem } from '../../calibration/record.js';
import type { CalibrationRecord } from '../../calibration/record.js';
import { isExpired } from '../../calibration/status.js';
import { calibrationDir, defaultDataDir, listCalibrations, readCalibration } from '../../calibration/store.js';
import { formatFit, formatList, formatRecord } from '../../calibration/text.js';
import { UsageError } from './errors.js';
import { writeOutFile } from './out-file.js';
import { parseNumber, plainDecimal } from './options.js';
import type { CliIo } from './simulate.js';

interface FitFlags {
  point: string[];
  maxResidualC?: string;
  json?: boolean;
}

interface StoreFlags {
  dataDir?: string;
  json?: boolean;
  out?: string;
}

/** `REF:RAW`, both in C, e.g. `-78.5:-77.9`; a UsageError names the text otherwise. */
export function parsePoint(text: string): CalibrationPoint {
  const parts = text.split(':');
  const numbers = parts.map((p) => plainDecimal(p, true));
  if (parts.length !== 2 || !numbers.every((n) => n !== null)) {
    throw new UsageError(`--point: '${text}' is not REF:RAW (reference and raw temperature in C, e.g. -78.5:-77.9)`);
  }
  const [referenceC = NaN, rawC = NaN] = numbers;
  // What a record accepts (calibration/record.ts): "accepted" must mean a fit the console would use,
  // and a reference below absolute zero was fitted and accepted here though no record may hold it.
  for (const [what, valueC] of [['reference', referenceC], ['raw', rawC]] as const) {
    if (!(valueC >= POINT_MIN_C && valueC <= POINT_MAX_C)) {
      throw new UsageError(`--point: '${text}': the ${what} temperature ${valueC} C is outside ${POINT_MIN_C} to ${POINT_MAX_C} C (absolute zero to a thermocouple's highest reading)`);
    }
  }
  return { referenceC, rawC };
}

export function runFit(flags: FitFlags, io: CliIo): void {
  if (flags.point.length === 0) throw new UsageError('--point: give at least one REF:RAW point');
  const points = flags.point.map(parsePoint);
  const maxResidualC = flags.maxResidualC === undefined ? undefined : parseNumber('--max-residual-c', flags.maxResidualC);
  const productC = DEFAULT_FIT_LIMITS.maxResidualC;
  if (maxResidualC !== undefined && !(maxResidualC > 0 && maxResidualC <= productC)) {
    throw new UsageError(`--max-residual-c: ${flags.maxResidualC ?? ''} must be above 0 C and at most the product's ${productC} C (a limit may be tightened, never loosened)`);
  }
  const fit = fitCalibration(points, { maxResidualC });
  if (flags.json === true) {
    const { offsetC, gain, residualsC, maxResidualC: worstC, accepted, rejectionReasons } = fit;
    io.stdout(`${JSON.stringify({ offsetC, gain, residualsC, maxResidualC: worstC, accepted, rejectionReasons })}\n`);
  } else {
    io.stdout(formatFit(points, fit));
  }
}

/** Read a record, or report why not (exit 1) and return null. Probe id errors are usage errors. */
function readOrReport(dataDir: string, probeId: string, io: CliIo, setResult: (code: number) => void): CalibrationRecord | null {
  try {
    return readCalibration(dataDir, probeId);
  } catch (err) {
    if (err instanceof ProbeIdError) throw new UsageError(err.message);
    if (err instanceof CalibrationMissingError || err instanceof CalibrationCorruptError) {
      io.stderr(`cryo: ${err.message}\n`);
      setResult(1);
      return null;
    }
    throw err;
  }
}

/** How `show` labels a readable record: INVALID (dated in the future), EXPIRED or valid. */
function statusWord(record: CalibrationRecord, now: Date): string {
  const future = futureDateProblem(record, now.getTime());
  if (future !== null) return `INVALID: ${future}`;
  return isExpired(record, now) ? 'EXPIRED' : 'valid';
}

export function registerCalibration(program: Command, io: CliIo, setResult: (code: number) => void, now: () => Date = () => new Date()): void {
  const dataDirOf = (flags: StoreFlags): string => flags.dataDir ?? defaultDataDir(process.env);
  const calibration = program.command('calibration').description('thermocouple probe calibrations: fit points, list, show and print records');
  const dataDirHelp = 'data directory (default: $CRYO_DATA_DIR or ./data)';

  calibration
    .command('fit')
    .description('fit offset (one point) or offset and gain (two or more) to reference points; calibrated = gain * raw + offsetC')
    .option('--point <ref:raw>', 'reference and raw temperature in C, e.g. -78.5:-77.9 (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--max-residual-c <c>', 'largest accepted |reference - calibrated|, C (default and most 0.5)')
    .option('--json', 'print one JSON object')
    .action((flags: FitFlags) => {
      runFit(flags, io);
      setResult(0);
    });

  calibration
    .command('list')
    .description('every calibration record with its status: valid, expired or corrupt')
    .option('--data-dir <dir>', dataDirHelp)
    .action((flags: StoreFlags) => {
      const dataDir = dataDirOf(flags);
      io.stdout(formatList(listCalibrations(dataDir, now()), calibrationDir(dataDir)));
      setResult(0);
    });

  calibration
    .command('show')
    .description("one probe's calibration record")
    .argument('<probe-id>', 'probe id')
    .option('--data-dir <dir>', dataDirHelp)
    .option('--json', 'print the record as JSON')
    .action((probeId: string, flags: StoreFlags) => {
      const record = readOrReport(dataDirOf(flags), probeId, io, setResult);
      if (record === null) return;
      io.stdout(flags.json === true ? `${JSON.stringify(record, null, 2)}\n` : formatRecord(record, statusWord(record, now())));
      setResult(0);
    });

  calibration
    .command('report')
    .description('write a printable calibration certificate (self-contained HTML)')
    .argument('<probe-id>', 'probe id')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--data-dir <dir>', dataDirHelp)
    .action((probeId: string, flags: StoreFlags) => {
      const dataDir = dataDirOf(flags);
      const record = readOrReport(dataDir, probeId, io, setResult);
      if (record === null) return;
      const out = flags.out ?? '';
      writeOutFile(out, renderCertificateHtml(record, now()), dataDir);
      io.stdout(`certificate for probe ${record.probeId} written to ${out}\n`);
      setResult(0);
    });
}
