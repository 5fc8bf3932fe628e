import { describe, expect, it } from 'vitest';
import { loadAnyBoardFile, type HardwareBoard } from '../src/board.js';
import { VirtualClock } from '../kernel/clock.js';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import { FirmataBackend } from '../hal/firmata/board.js';
import { ManualTimers } from '../kernel/timers.js';
import type { FirmataConnector, IoPin, Level, PinIo, PinMode, SessionHandlers } from '../hal/firmata/pin-io.js';

type Call = ['mode', IoPin, PinMode] | ['write', IoPin, Level] | ['sampling', number];

class FakeIo implements PinIo {
  readonly calls: Call[] = [];
  readonly digital = new Map<IoPin, (level: Level) => void>();
  readonly analog = new Map<IoPin, (raw: number) => void>();
  pinMode(pin: IoPin, mode: PinMode): void {
    this.calls.push(['mode', pin, mode]);
  }
  digitalWrite(pin: IoPin, level: Level): void {
    this.calls.push(['write', pin, level]);
  }
  digitalRead(pin: IoPin, onLevel: (level: Level) => void): void {
    this.digital.set(pin, onLevel);
  }
  analogRead(channel: IoPin, onRaw: (raw: number) => void): void {
    this.analog.set(channel, onRaw);
  }
  setSamplingInterval(ms: number): void {
    this.calls.push(['sampling', ms]);
  }
  writes(pin: IoPin): Level[] {
    return this.calls.filter((c): c is ['write', IoPin, Level] => c[0] === 'write' && c[1] === pin).map((c) => c[2]);
  }
}

const UNO = loadAnyBoardFile('boards/arduino-uno.json') as HardwareBoard;

function rig(board: HardwareBoard = UNO) {
  const clock = new VirtualClock(1000);
  const timers = new ManualTimers(clock);
  const sessions: { handlers: SessionHandlers; closed: boolean }[] = [];
  const connector: FirmataConnector = (handlers) => {
    const s = { handlers, closed: false };
    sessions.push(s);
    return {
      close: () => {
        s.closed = true;
        return Promise.resolve();
      },
    };
  };
  const backend = new FirmataBackend({ board, clock, connector, timers });
  const connect = (): FakeIo => {
    const io = new FakeIo();
    sessions.at(-1)!.handlers.ready(io);
    return io;
  };
  /** One sampling period: both transducers report (2.5 V = 50 bar / 5 bar) and time moves. */
  const tick = (io: FakeIo, ms = 20, count = 511.5): void => {
    clock.advanceMs(ms);
    io.analog.get(0)?.(count);
    io.analog.get(1)?.(count);
  };
  /** Moves virtual time to the pending reconnect and lets it fire. */
  const retryNow = (): void => {
    const dueAtMs = timers.nextDueAtMs;
    if (dueAtMs === null) throw new Error('no reconnect pending');
    timers.advanceToMs(dueAtMs);
  };
  return { clock, timers, sessions, backend, connect, tick, retryNow };
}

describe('Firmata back-end: connect', () => {
  it.each([
    ['active-high', 0],
    ['active-low', 1],
  ] as const)('writes the closed level of both %s valves before anything else', (valvePolarity, closed) => {
    const r = rig({ ...UNO, valvePolarity });
    const io = r.connect();
    expect(io.calls.slice(0, 6)).toEqual([
      ['write', 7, closed],
      ['mode', 7, 'output'],
      ['write', 7, closed],
      ['write', 8, closed],
      ['mode', 8, 'output'],
      ['write', 8, closed],
    ]);
  });

  it('starts with the heartbeat low and the lamps and buzzer off', () => {
    const io = rig().connect();
    for (const pin of [9, 11, 12, 13, 16]) expect(io.writes(pin)).toEqual([0, 0]);
  });

  it('reports a fault until the board is connected', () => {
    const r = rig();
    expect(r.backend.fault()).toMatch(/firmata: board \(auto\) lost: not connected yet/);
    const io = r.connect();
    r.tick(io);
    expect(r.backend.fault()).toBeNull();
  });

  it('opens an active-low valve by writing LOW and closes it by writing HIGH', () => {
    const r = rig({ ...UNO, valvePolarity: 'active-low' });
    const io = r.connect();
    r.backend.write({ ...SAFE_OUTPUTS, supplyValveOpen: true });
    r.backend.write(SAFE_OUTPUTS);
    expect(io.writes(7).slice(2)).toEqual([0, 1]);
  });
});

describe('Firmata back-end: outputs', () => {
  it('writes every heartbeat toggle', () => {
    const r = rig();
    const io = r.connect();
    for (const heartbeat of [true, false, true, false]) r.backend.write({ ...SAFE_OUTPUTS, heartbeat });
    expect(io.writes(9).slice(2)).toEqual([1, 0, 1, 0]);
  });

  it('drives the lamps and the buzzer (A2 = Firmata pin 16)', () => {
    const r = rig();
    const io = r.connect();
    r.backend.write({ ...SAFE_OUTPUTS, lamps: { high: true, medium: false, low: true }, buzzer: true });
    expect([io.writes(11).at(-1), io.writes(12).at(-1), io.writes(13).at(-1), io.writes(16).at(-1)]).toEqual([1, 0, 1, 1]);
  });

  it('toSafeState closes both valves, drops the heartbeat and silences the lamps, idempotently', () => {
    const r = rig();
    const io = r.connect();
    r.backend.write({ supplyValveOpen: true, safetyValveOpen: true, heartbeat: true, lamps: { high: true, medium: true, low: true }, buzzer: true });
    r.backend.toSafeState();
    r.backend.toSafeState();
    for (const pin of [7, 8, 9, 11, 12, 13, 16]) expect(io.writes(pin).at(-1)).toBe(0);
  });
});

describe('Firmata back-end: inputs', () => {
  it('uses the pull-up for active-low buttons', () => {
    const io = rig().connect();
    expect(io.calls).toContainEqual(['mode', 2, 'pullup']);
    expect(io.calls).toContainEqual(['mode', 6, 'input']);
  });

  it('reads the e-stop as pressed until the board reports it', () => {
    const r = rig();
    expect(r.backend.inputs().operator.estop).toBe(true);
    const io = r.connect();
    io.digital.get(6)!(0);
    expect(r.backend.inputs().operator.estop).toBe(false);
  });

  it('accepts a button press only after it has held for the debounce time', () => {
    const r = rig();
    const io = r.connect();
    io.digital.get(2)!(1);
    io.digital.get(2)!(0);
    r.tick(io, 10);
    expect(r.backend.inputs().operator.start).toBe(false);
    r.tick(io, 10);
    expect(r.backend.inputs().operator.start).toBe(true);
  });

  it('ignores a bounce shorter than the debounce time', () => {
    const r = rig();
    const io = r.connect();
    io.digital.get(2)!(1);
    io.digital.get(2)!(0);
    r.tick(io, 5);
    io.digital.get(2)!(1);
    r.tick(io, 30);
    expect(r.backend.inputs().operator.start).toBe(false);
  });

  it('reads the probe present on an active-low input', () => {
    const r = rig();
    const io = r.connect();
    io.digital.get(10)!(0);
    expect(r.backend.inputs().probe.present).toBe(true);
  });

  it.each([
    [102.3, 0],
    [511.5, 50],
    [920.7, 100],
  ])('scales %d counts (0.5-4.5 V over 0-100 bar) to %d bar', (count, bar) => {
    const r = rig();
    const io = r.connect();
    r.tick(io, 20, count);
    expect(r.backend.inputs().supply.barGauge).toBeCloseTo(bar, 6);
    expect(r.backend.inputs().supply.atMs).toBe(1020);
    expect(r.backend.fault()).toBeNull();
  });

  it.each([
    [0, 'a wire to 0 V'],
    [1023, 'a short to 5 V'],
  ])('reads NaN bar and names the transducer at a rail (%d counts: %s)', (count) => {
    const r = rig();
    const io = r.connect();
    r.tick(io);
    io.analog.get(1)!(count);
    expect(r.backend.inputs().returnLine!.barAbs).toBeNaN();
    expect(r.backend.fault()).toMatch(/pressure.return: transducer reads .* V, at a rail/);
  });

  it.each([
    [90, 'below'],
    [935, 'above'],
  ])('reads NaN bar and faults for a transducer %d counts (%s its 0.5-4.5 V output range)', (count) => {
    const r = rig();
    const io = r.connect();
    r.tick(io);
    io.analog.get(1)!(count);
    expect(r.backend.inputs().returnLine!.barAbs).toBeNaN();
    expect(r.backend.fault()).toMatch(/pressure.return: transducer reads .* V, outside its 0.5-4.5 V output range/);
  });

  it('accepts a reading at the edge of the output range, within ADC noise', () => {
    const r = rig();
    const io = r.connect();
    r.tick(io);
    io.analog.get(1)!(98);
    expect(r.backend.fault()).toBeNull();
  });
});

describe('Firmata back-end: losing the board', () => {
  it('faults, writes the safe state and reconnects with backoff when the board closes', () => {
    const r = rig();
    const io = r.connect();
    r.tick(io);
    r.backend.write({ ...SAFE_OUTPUTS, supplyValveOpen: true, safetyValveOpen: true });
    r.sessions[0]!.handlers.lost('close');
    expect(r.backend.fault()).toMatch(/board \(auto\) lost: close/);
    expect([io.writes(7).at(-1), io.writes(8).at(-1)]).toEqual([0, 0]);
    expect(r.sessions[0]!.closed).toBe(true);
    expect(r.timers.dueInMs).toEqual([500]);
    r.timers.advanceMs(499);
    expect(r.sessions).toHaveLength(1);
    r.timers.advanceMs(1);
    expect(r.sessions).toHaveLength(2);
  });

  it('backs off longer after each failed attempt, up to the maximum', () => {
    const r = rig();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      r.sessions.at(-1)!.handlers.lost('error: cannot open');
      expect(r.timers.pendingCount).toBe(1);
      delays.push(r.timers.dueInMs[0]!);
      r.retryNow();
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000]);
  });

  it('starts the backoff over after a session, and names the attempt in the fault', () => {
    const r = rig();
    expect(r.backend.fault()).toMatch(/reconnecting \(attempt 1\)/);
    r.sessions[0]!.handlers.lost('error: cannot open');
    expect(r.timers.dueInMs).toEqual([1000]);
    r.retryNow();
    expect(r.backend.fault()).toMatch(/reconnecting \(attempt 2\)/);
    r.tick(r.connect());
    r.sessions[1]!.handlers.lost('close');
    expect(r.backend.fault()).toMatch(/reconnecting \(attempt 0\)/);
    expect(r.timers.dueInMs).toEqual([500]);
    r.retryNow();
    r.sessions[2]!.handlers.lost('error: cannot open');
    expect(r.timers.dueInMs).toEqual([1000]);
  });

  it('schedules one reconnect for a loss reported twice', () => {
    const r = rig();
    r.tick(r.connect());
    r.clock.advanceMs(501);
    expect(r.backend.fault()).toMatch(/no report from the board/);
    r.sessions[0]!.handlers.lost('close');
    expect(r.timers.pendingCount).toBe(1);
  });

  it('treats silence longer than dataTimeoutMs as a lost board', () => {
    const r = rig();
    const io = r.connect();
    r.tick(io);
    r.clock.advanceMs(501);
    expect(r.backend.fault()).toMatch(/no report from the board for 501 ms/);
    expect(r.timers.pendingCount).toBe(1);
  });

  it('ignores writes while lost and starts a new session from closed valves', () => {
    const r = rig();
    const first = r.connect();
    r.sessions[0]!.handlers.lost('disconnect');
    r.backend.write({ ...SAFE_OUTPUTS, supplyValveOpen: true });
    expect(first.writes(7).at(-1)).toBe(0);
    r.retryNow();
    const second = r.connect();
    expect(second.calls.slice(0, 3)).toEqual([['write', 7, 0], ['mode', 7, 'output'], ['write', 7, 0]]);
    expect(r.backend.sessions).toBe(2);
    expect(r.backend.inputs().operator.estop).toBe(true);
  });

  it('ignores late events from a link it has given up', () => {
    const r = rig();
    r.connect();
    r.sessions[0]!.handlers.lost('close');
    r.retryNow();
    r.sessions[0]!.handlers.lost('error: late');
    expect(r.sessions[1]!.closed).toBe(false);
    expect(r.timers.pendingCount).toBe(0);
  });

  it('stops reconnecting once closed', async () => {
    const r = rig();
    r.sessions[0]!.handlers.lost('close');
    await r.backend.close();
    expect(r.timers.pendingCount).toBe(0);
    expect(r.backend.fault()).toBe('firmata: closed');
  });
});
