// `cryo co2`: the CO2 curves the controller uses, for engineers checking a figure.
import type { Command } from 'commander';
import { Co2RangeError, saturationPressureBar, sublimationTempC } from '../../kernel/co2.js';
import { UsageError } from './errors.js';
import { parseNumber } from './options.js';
import type { CliIo } from './simulate.js';

interface Co2Flags {
  pressureBar?: string;
  cylinderTempC?: string;
  json?: boolean;
}

const round = (x: number): number => Number(x.toFixed(4));

export function runCo2(flags: Co2Flags, io: CliIo): void {
  if ((flags.pressureBar === undefined) === (flags.cylinderTempC === undefined)) {
    throw new UsageError('co2: give exactly one of --pressure-bar P (sublimation temperature) or --cylinder-temp-c T (saturation pressure)');
  }
  try {
    if (flags.pressureBar !== undefined) {
      const sublimationC = round(sublimationTempC(parseNumber('--pressure-bar', flags.pressureBar)));
      io.stdout(flags.json === true ? `${JSON.stringify({ sublimationC })}\n` : `CO2 sublimates at ${sublimationC} C at ${flags.pressureBar} bar absolute\n`);
    } else if (flags.cylinderTempC !== undefined) {
      const saturationBar = round(saturationPressureBar(parseNumber('--cylinder-temp-c', flags.cylinderTempC, true)));
      io.stdout(flags.json === true ? `${JSON.stringify({ saturationBar })}\n` : `CO2 saturation pressure at ${flags.cylinderTempC} C: ${saturationBar} bar absolute\n`);
    }
  } catch (err) {
    if (err instanceof Co2RangeError) throw new UsageError(`${flags.pressureBar === undefined ? '--cylinder-temp-c' : '--pressure-bar'}: ${err.message}`);
    throw err;
  }
}

export function registerCo2(program: Command, io: CliIo, setResult: (code: number) => void): void {
  program
    .command('co2')
    .description('CO2 sublimation temperature for a pressure, or saturation pressure for a cylinder temperature')
    .option('--pressure-bar <p>', 'absolute pressure, bar: prints the sublimation temperature')
    .option('--cylinder-temp-c <t>', 'cylinder temperature, C: prints the saturation pressure')
    .option('--json', 'print one JSON object')
    .action((flags: Co2Flags) => {
      runCo2(flags, io);
      setResult(0);
    });
}
