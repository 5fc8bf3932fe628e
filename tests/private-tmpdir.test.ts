// The test run's own temp folder (tests/helpers/private-tmpdir.ts): a run that leaves something
// there fails, naming it; an empty one passes; the folder goes away either way.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setup } from './helpers/private-tmpdir.js';

describe('the private temp folder of a test run', () => {
  const outerTmpdir = tmpdir();
  const outerExitCode = process.exitCode;
  afterEach(() => {
    process.exitCode = outerExitCode;
    vi.restoreAllMocks();
  });

  it('is where os.tmpdir() points during the run (this worker inherited it)', () => {
    expect(outerTmpdir).toMatch(/cryo-test-run-/);
  });

  it('fails the run naming what was left, removes the folder and restores TMPDIR', () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    const teardown = setup();
    const root = tmpdir();
    expect(root).not.toBe(outerTmpdir);
    expect(process.env.TMPDIR).toBe(root);
    mkdirSync(join(root, 'boards-left'));
    writeFileSync(join(root, 'stray.txt'), '');
    teardown();
    expect(process.exitCode).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('left 2 entries');
    expect(errors[0]).toContain('boards-left, stray.txt');
    expect(existsSync(root)).toBe(false);
    expect(tmpdir()).toBe(outerTmpdir);
  });

  it('passes a run that leaves nothing, and nested setups share one folder', () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    const outer = setup();
    const root = tmpdir();
    const inner = setup();
    expect(tmpdir()).toBe(root);
    inner();
    expect(existsSync(root)).toBe(true);
    outer();
    expect(existsSync(root)).toBe(false);
    expect(errors).toEqual([]);
    expect(process.exitCode).toBe(outerExitCode);
  });
});
