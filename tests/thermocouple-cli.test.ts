// `cryo thermocouple`: the CLI contract of issue 3 (other tools rely on the names emfMv, tempC,
// and on range errors being usage errors that name the valid range).
import { describe, it, expect } from 'vitest';
import { Command } from 'commander';
import { UsageError } from '../src/cli/errors.js';
import { registerThermocouple } from '../src/cli/thermocouple.js';

interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

async function cryoThermocouple(args: string[]): Promise<CliRun> {
  const run: CliRun = { stdout: '', stderr: '', code: null };
  const program = new Command().exitOverride();
  const io = {
    stdout: (text: string): void => void (run.stdout += text),
    stderr: (text: string): void => void (run.stderr += text),
  };
  registerThermocouple(program, io, (code) => {
    run.code = code;
  });
  await program.parseAsync(['thermocouple', ...args], { from: 'user' });
  return run;
}

async function jsonOf(args: string[]): Promise<Record<string, number>> {
  return JSON.parse((await cryoThermocouple([...args, '--json'])).stdout) as Record<string, number>;
}

describe('cryo thermocouple --temp-c', () => {
  it('prints the Type T EMF at -78.5 C against a 0 C cold junction as {"emfMv": x}', async () => {
    const out = await jsonOf(['--type', 'T', '--temp-c', '-78.5']);
    expect(Object.keys(out)).toEqual(['emfMv']);
    expect(out.emfMv).toBeCloseTo(-2.742, 3);
  });

  it('prints the EMF measured against the cold junction given by --cj-c', async () => {
    expect((await jsonOf(['--type', 'T', '--temp-c', '-78.5', '--cj-c', '25'])).emfMv).toBeCloseTo(-3.734, 3);
  });

  it('gives the NIST Type K table value at 1000 C', async () => {
    expect((await jsonOf(['--type', 'K', '--temp-c', '1000'])).emfMv).toBeCloseTo(41.276, 3);
  });

  it('reports success through setResult', async () => {
    expect((await cryoThermocouple(['--type', 'K', '--temp-c', '20', '--json'])).code).toBe(0);
  });

  it('prints a readable line without --json', async () => {
    const { stdout } = await cryoThermocouple(['--type', 'T', '--temp-c', '100']);
    expect(stdout).toBe('Type T at 100 C, cold junction at 0 C: 4.2785 mV\n');
  });
});

describe('cryo thermocouple --emf-mv', () => {
  it('prints the Type K temperature for a table EMF as {"tempC": x}', async () => {
    const out = await jsonOf(['--type', 'K', '--emf-mv', '20.644']);
    expect(Object.keys(out)).toEqual(['tempC']);
    expect(out.tempC).toBeCloseTo(500, 1);
  });

  it('compensates the cold junction: -3.7337 mV against 25 C is -78.5 C for Type T', async () => {
    const emfMv = (await jsonOf(['--type', 'T', '--temp-c', '-78.5', '--cj-c', '25'])).emfMv;
    expect((await jsonOf(['--type', 'T', '--emf-mv', String(emfMv), '--cj-c', '25'])).tempC).toBeCloseTo(-78.5, 2);
  });

  it('accepts a lower-case type', async () => {
    expect((await jsonOf(['--type', 't', '--emf-mv', '0'])).tempC).toBe(0);
  });

  it('prints a readable line without --json', async () => {
    const { stdout } = await cryoThermocouple(['--type', 'T', '--emf-mv', '0', '--cj-c', '25']);
    expect(stdout).toBe('Type T reading 0 mV, cold junction at 25 C: 25 C\n');
  });
});

describe('cryo thermocouple usage errors', () => {
  it('names the option and the reference function range for an out-of-range temperature', async () => {
    await expect(cryoThermocouple(['--type', 'T', '--temp-c', '-280', '--json'])).rejects.toThrow(UsageError);
    await expect(cryoThermocouple(['--type', 'T', '--temp-c', '-280'])).rejects.toThrow(
      '--temp-c: Type T: temperature -280 C is outside the reference function range -270 to 400 C',
    );
  });

  it('names the option and the inverse range for an EMF below -200 C', async () => {
    await expect(cryoThermocouple(['--type', 'K', '--emf-mv', '-6'])).rejects.toThrow(/^--emf-mv: .*-5\.891 to 54\.886 mV \(-200 to 1372 C\)/);
  });

  it('blames --cj-c for an out-of-range cold junction', async () => {
    await expect(cryoThermocouple(['--type', 'T', '--temp-c', '0', '--cj-c', '450'])).rejects.toThrow(/^--cj-c: Type T: cold-junction temperature 450 C .* -270 to 400 C/);
  });

  it('refuses an unknown type, naming the supported ones', async () => {
    await expect(cryoThermocouple(['--type', 'J', '--temp-c', '0'])).rejects.toThrow("--type: 'J' is not a supported thermocouple type (T or K)");
  });

  it('asks for --type when it is missing', async () => {
    await expect(cryoThermocouple(['--temp-c', '0'])).rejects.toThrow(/give --type \(T or K\)/);
  });

  it('wants exactly one of --temp-c and --emf-mv', async () => {
    await expect(cryoThermocouple(['--type', 'T'])).rejects.toThrow(/exactly one of --temp-c .* or --emf-mv/);
    await expect(cryoThermocouple(['--type', 'T', '--temp-c', '0', '--emf-mv', '0'])).rejects.toThrow(/exactly one of/);
  });

  it('refuses a value that is not a number, naming the option', async () => {
    await expect(cryoThermocouple(['--type', 'T', '--temp-c', 'cold'])).rejects.toThrow("--temp-c: 'cold' is not a number");
  });
});
