// `cryo thermocouple`: NIST ITS-90 Type T / K conversion with cold-junction compensation, for
// engineers checking a reading against the tables (shared/domain.md section 5).
import type { Command } from 'commander';
import { ThermocoupleRangeError, THERMOCOUPLE_TYPES, isThermocoupleType, measuredEmfMvFor, tempCFromMeasuredEmf } from '../../calibration/thermocouple/index.js';
import type { ThermocoupleType } from '../../calibration/thermocouple/index.js';
import { UsageError } from './errors.js';
import { parseNumber } from './options.js';
import type { CliIo } from './simulate.js';

interface ThermocoupleFlags {
  type?: string;
  tempC?: string;
  emfMv?: string;
  cjC: string;
  json?: boolean;
}

/** 0.1 uV and 0.0001 C: finer than NIST's 1 uV tables, so a table value reads back unrounded. */
const OUTPUT_DECIMALS = 4;
const round = (x: number): number => Number(x.toFixed(OUTPUT_DECIMALS));

function parseType(text: string | undefined): ThermocoupleType {
  if (text === undefined) throw new UsageError(`thermocouple: give --type (${THERMOCOUPLE_TYPES.join(' or ')})`);
  const type = text.trim().toUpperCase();
  if (!isThermocoupleType(type)) throw new UsageError(`--type: '${text}' is not a supported thermocouple type (${THERMOCOUPLE_TYPES.join(' or ')})`);
  return type;
}

/** Runs `convert`, naming the option at fault (--cj-c or `option`) in any range error. */
function forOption<Result>(option: string, convert: () => Result): Result {
  try {
    return convert();
  } catch (err) {
    if (!(err instanceof ThermocoupleRangeError)) throw err;
    throw new UsageError(`${err.details.quantity === 'cold-junction temperature' ? '--cj-c' : option}: ${err.message}`);
  }
}

export function runThermocouple(flags: ThermocoupleFlags, io: CliIo): void {
  if ((flags.tempC === undefined) === (flags.emfMv === undefined)) {
    throw new UsageError('thermocouple: give exactly one of --temp-c C (prints the EMF) or --emf-mv E (prints the temperature)');
  }
  const type = parseType(flags.type);
  const coldJunctionC = parseNumber('--cj-c', flags.cjC, true);
  if (flags.tempC !== undefined) {
    const tempC = parseNumber('--temp-c', flags.tempC, true);
    const emfMv = round(forOption('--temp-c', () => measuredEmfMvFor(type, tempC, coldJunctionC)));
    io.stdout(flags.json === true ? `${JSON.stringify({ emfMv })}\n` : `Type ${type} at ${tempC} C, cold junction at ${coldJunctionC} C: ${emfMv} mV\n`);
  } else if (flags.emfMv !== undefined) {
    const measuredMv = parseNumber('--emf-mv', flags.emfMv, true);
    const tempC = round(forOption('--emf-mv', () => tempCFromMeasuredEmf(type, measuredMv, coldJunctionC)));
    io.stdout(flags.json === true ? `${JSON.stringify({ tempC })}\n` : `Type ${type} reading ${measuredMv} mV, cold junction at ${coldJunctionC} C: ${tempC} C\n`);
  }
}

export function registerThermocouple(program: Command, io: CliIo, setResult: (code: number) => void): void {
  program
    .command('thermocouple')
    .description('NIST ITS-90 thermocouple conversion (Type T or K) with cold-junction compensation')
    .option('--type <T|K>', 'thermocouple type: T or K')
    .option('--temp-c <c>', 'tip temperature, C: prints the EMF measured against the cold junction')
    .option('--emf-mv <e>', 'EMF measured against the cold junction, mV: prints the tip temperature')
    .option('--cj-c <c>', 'cold-junction (terminal) temperature, C', '0')
    .option('--json', 'print one JSON object')
    .action((flags: ThermocoupleFlags) => {
      runThermocouple(flags, io);
      setResult(0);
    });
}
