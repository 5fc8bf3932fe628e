// `cryo tissue`: the engineers' view of the tissue model (issue 11): radii at each time, JSON keys
// other tools may rely on, and usage errors that name the option.
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { UsageError } from '../src/cli/errors.js';
import { registerTissue, type TissueRow } from '../src/cli/tissue.js';

interface CliRun {
  stdout: string;
  code: number | null;
}

async function cryoTissue(args: string[]): Promise<CliRun> {
  const run: CliRun = { stdout: '', code: null };
  const program = new Command().exitOverride();
  const io = { stdout: (text: string): void => void (run.stdout += text), stderr: (): void => undefined };
  registerTissue(program, io, (code) => {
    run.code = code;
  });
  await program.parseAsync(['tissue', ...args], { from: 'user' });
  return run;
}

async function rowsOf(args: string[]): Promise<TissueRow[]> {
  const out = JSON.parse((await cryoTissue([...args, '--json'])).stdout) as { rows: TissueRow[] };
  return out.rows;
}

describe('cryo tissue', () => {
  it('prints r(0), r(-20) and r(-40) in mm at each time for a fixed wall, near domain section 3', async () => {
    const rows = await rowsOf(['--probe-od-mm', '2.0', '--wall-c', '-70', '--times-s', '30,60,120,180']);
    expect(rows.map((r) => r.timeS)).toEqual([30, 60, 120, 180]);
    expect(Object.keys(rows[0] ?? {})).toEqual(['timeS', 'r0Mm', 'r20Mm', 'r40Mm', 'wallC']);
    // Domain section 3 at 120 s: 6.6 / 4.0 / 2.3 mm.
    expect(rows[2]?.r0Mm).toBeCloseTo(6.6, 0);
    expect(rows[2]?.r20Mm).toBeCloseTo(4.0, 0);
    expect(rows[2]?.r40Mm).toBeCloseTo(2.3, 0);
  });

  it('gives a smaller ice ball under a heat-flux-limited wall, with the wall warmer than the gas', async () => {
    const fixed = await rowsOf(['--probe-od-mm', '1.27', '--wall-c', '-70', '--times-s', '60']);
    const flux = await rowsOf(['--probe-od-mm', '1.27', '--gas-c', '-70', '--h-w-m2k', '3000', '--times-s', '60']);
    expect(flux[0]?.r20Mm).toBeLessThan(fixed[0]?.r20Mm ?? 0);
    expect(flux[0]?.wallC).toBeGreaterThan(-70);
  });

  it('gives null in --json, and "not reached" in the table, for an isotherm the tissue never reaches', async () => {
    // Review of issue 11, L5: the wall settles near -23 C, so no tissue reaches -40 C; 0.00 read as a size.
    const args = ['--probe-od-mm', '1.27', '--gas-c', '-80', '--h-w-m2k', '1000', '--times-s', '30'];
    const [row] = await rowsOf(args);
    expect(row?.wallC).toBeGreaterThan(-40);
    expect(row?.r40Mm).toBeNull();
    expect(row?.r20Mm).toBeGreaterThan(0.635);
    const line = (await cryoTissue(args)).stdout.trim().split('\n')[2] ?? '';
    expect(line).toMatch(/^\s+30\s+\d+\.\d\d\s+\d+\.\d\d\s+not reached\s+-23\.1$/);
  });

  it("gives the probe's radius for a wall exactly at the isotherm, and null just above it", async () => {
    const [at] = await rowsOf(['--probe-od-mm', '2.0', '--wall-c', '-40', '--times-s', '30']);
    expect(at?.r40Mm).toBe(1);
    const [above] = await rowsOf(['--probe-od-mm', '2.0', '--wall-c', '-39.99', '--times-s', '30']);
    expect(above?.r40Mm).toBeNull();
  });

  it('prints a readable table without --json and reports success', async () => {
    const run = await cryoTissue(['--probe-od-mm', '1.27', '--wall-c', '-70', '--times-s', '30']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/r\(-20 C\) mm/);
    expect(run.stdout.trim().split('\n')).toHaveLength(3);
  });

  it.each([
    [['--wall-c', '-70', '--times-s', '30'], /--probe-od-mm/],
    [['--probe-od-mm', '9', '--wall-c', '-70', '--times-s', '30'], /--probe-od-mm: 9 is outside 0.3 to 5/],
    [['--probe-od-mm', '1.27', '--times-s', '30'], /--wall-c C .* --gas-c C and --h-w-m2k H/],
    [['--probe-od-mm', '1.27', '--wall-c', '-70', '--gas-c', '-70', '--h-w-m2k', '1000', '--times-s', '30'], /either --wall-c/],
    [['--probe-od-mm', '1.27', '--gas-c', '-70', '--times-s', '30'], /--gas-c needs --h-w-m2k/],
    [['--probe-od-mm', '1.27', '--gas-c', '-70', '--h-w-m2k', '5', '--times-s', '30'], /--h-w-m2k: 5 is outside/],
    [['--probe-od-mm', '1.27', '--wall-c', '40', '--times-s', '30'], /--wall-c: 40 is outside -200 to 37/],
    [['--probe-od-mm', '1.27', '--wall-c', '-70'], /--times-s/],
    [['--probe-od-mm', '1.27', '--wall-c', '-70', '--times-s', '60,30'], /--times-s: '60,30' must be positive and strictly increasing/],
    [['--probe-od-mm', '1.27', '--wall-c', '-70', '--times-s', '30,abc'], /--times-s: 'abc' is not a number/],
  ])('refuses %j with a usage error naming the option', async (args, message) => {
    const attempt = cryoTissue(args);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(cryoTissue(args)).rejects.toThrow(message);
  });
});
