import { describe, expect, it } from 'vitest';
import { HardwareHal } from '../hal/composite.js';
import { SAFE_OUTPUTS, type Outputs, type TipSample, type TipSource } from '../hal/contract.js';
import type { FirmataInputs, FirmataLike } from '../hal/firmata/board.js';

const INPUTS: FirmataInputs = {
  supply: { barGauge: 55, atMs: 10 },
  returnLine: { barAbs: 1.2, atMs: 10 },
  probe: { present: true, id: null, atMs: 10 },
  operator: { start: false, stop: false, acknowledge: false, audioPause: false, newSite: false, footswitch: true, estop: false, atMs: 10 },
};

class FakeBoard implements FirmataLike {
  written: Outputs[] = [];
  safeCalls = 0;
  boardFault: string | null = null;
  throwOnSafe = false;
  closed = false;
  inputs(): FirmataInputs {
    return INPUTS;
  }
  write(outputs: Outputs): void {
    this.written.push(outputs);
  }
  toSafeState(): void {
    this.safeCalls += 1;
    if (this.throwOnSafe) throw new Error('transport gone');
  }
  fault(): string | null {
    return this.boardFault;
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

class FakeTips implements TipSource {
  sample: TipSample = { tipC: -40, coldJunctionC: 22, fault: null, atMs: 10 };
  tipFault: string | null = null;
  closed = false;
  tips(): readonly TipSample[] {
    return [this.sample];
  }
  fault(): string | null {
    return this.tipFault;
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

describe('HardwareHal', () => {
  it('combines the board inputs and the front-end tips into one reading', () => {
    const board = new FakeBoard();
    const tips = new FakeTips();
    const hal = new HardwareHal(board, tips);
    expect(hal.kind).toBe('hardware');
    expect(hal.read()).toEqual({ ...INPUTS, tips: [tips.sample], halFault: null });
  });

  it('names the Firmata board when it reports a fault', () => {
    const board = new FakeBoard();
    board.boardFault = 'firmata: board /dev/ttyACM0 lost: close';
    expect(new HardwareHal(board, new FakeTips()).read().halFault).toBe('firmata: board /dev/ttyACM0 lost: close');
  });

  it('names the thermocouple front-end when it reports a fault', () => {
    const tips = new FakeTips();
    tips.tipFault = '/dev/ttyUSB1: unplugged';
    expect(new HardwareHal(new FakeBoard(), tips).read().halFault).toBe('thermocouple front-end: /dev/ttyUSB1: unplugged');
  });

  it('reports both faults when both back-ends fail', () => {
    const board = new FakeBoard();
    const tips = new FakeTips();
    board.boardFault = 'firmata: board lost';
    tips.tipFault = 'silent';
    expect(new HardwareHal(board, tips).read().halFault).toBe('firmata: board lost; thermocouple front-end: silent');
  });

  it('passes outputs to the board', () => {
    const board = new FakeBoard();
    const out = { ...SAFE_OUTPUTS, supplyValveOpen: true };
    new HardwareHal(board, new FakeTips()).write(out);
    expect(board.written).toEqual([out]);
  });

  it('toSafeState never throws, even when the board does', () => {
    const board = new FakeBoard();
    board.throwOnSafe = true;
    const hal = new HardwareHal(board, new FakeTips());
    expect(() => {
      hal.toSafeState();
      hal.toSafeState();
    }).not.toThrow();
    expect(board.safeCalls).toBe(2);
  });

  it('puts the board safe and closes both back-ends on close', async () => {
    const board = new FakeBoard();
    const tips = new FakeTips();
    await new HardwareHal(board, tips).close();
    expect([board.safeCalls, board.closed, tips.closed]).toEqual([1, true, true]);
  });
});
