// A start from the console page names the target nerve and side (issue 10): the wire schema
// refuses a nerve outside the catalog or a side other than left and right, naming the field and
// value; a start the loop accepts hands the target to the records (RecordsLink.useTarget), and
// one it refuses hands nothing.
import { describe, expect, it } from 'vitest';
import { applyConsoleCommand } from '../src/console/commands.js';
import type { CommandTarget } from '../src/console/commands.js';
import { ConsoleCommandSchema, MAX_NERVE_ID_CHARS } from '../src/console/protocol.js';
import type { ConsoleCommand } from '../src/console/protocol.js';
import { ClientMessageSchema } from '../src/console/wire.js';
import { PRESETS } from '../src/controller/settings.js';
import type { Protocol } from '../src/controller/settings.js';
import { NERVES } from '../src/records/nerves.js';
import type { TreatmentTarget } from '../src/records/types.js';
import type { ConsolePress, ProtocolRefusal } from '../src/runtime/loop.js';
import { capturingLogger } from './helpers/console-fixture.js';

const START = { type: 'start', protocol: { preset: 'standard' } } as const;

/** The reason the schema gives for `value` (its first issue, as the server reports it), or null. */
function refusal(value: unknown): string | null {
  const r = ConsoleCommandSchema.safeParse(value);
  if (r.success) return null;
  const issue = r.error.issues[0];
  return `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`;
}

describe('the start command target', () => {
  it('accepts every nerve of the catalog on either side', () => {
    for (const nerve of NERVES) {
      for (const side of ['left', 'right'] as const) {
        expect(ConsoleCommandSchema.parse({ ...START, target: { nerveId: nerve.id, side } })).toEqual({ ...START, target: { nerveId: nerve.id, side } });
      }
    }
  });

  it('is optional: a start without one is the run default', () => {
    expect(ConsoleCommandSchema.parse(START)).toEqual(START);
  });

  it('refuses a nerve outside the catalog, naming the field and the value', () => {
    expect(refusal({ ...START, target: { nerveId: 'sciatic', side: 'left' } })).toBe('target.nerveId: unknown nerve "sciatic" (not in the catalog)');
  });

  it('refuses a side that is not left or right, naming the field and the value', () => {
    expect(refusal({ ...START, target: { nerveId: 'sural', side: 'both' } })).toBe('target.side: side "both" is not one of left, right');
    expect(refusal({ ...START, target: { nerveId: 'sural', side: 'Left' } })).toBe('target.side: side "Left" is not one of left, right');
  });

  it('refuses an oversize nerve id before looking it up, and echoes no more than a bounded part of a bad side', () => {
    const long = 'a'.repeat(MAX_NERVE_ID_CHARS + 1);
    expect(refusal({ ...START, target: { nerveId: long, side: 'left' } })).toMatch(/^target\.nerveId: Too big: expected string to have <=64 characters$/);
    const reason = refusal({ ...START, target: { nerveId: 'sural', side: 'x'.repeat(500) } }) ?? '';
    expect(reason.startsWith('target.side: side "xxx')).toBe(true);
    expect(reason.length).toBeLessThan(120);
  });

  it('refuses a target with a missing or extra field', () => {
    expect(refusal({ ...START, target: { nerveId: 'sural' } })).toMatch(/^target\.side: /);
    expect(refusal({ ...START, target: { nerveId: 'sural', side: 'left', level: 'T4' } })).toMatch(/^target: Unrecognized key/);
  });

  it('is accepted on the socket too (the client message schema is the same)', () => {
    expect(ClientMessageSchema.safeParse({ ...START, target: { nerveId: 'sural', side: 'right' } }).success).toBe(true);
    expect(ClientMessageSchema.safeParse({ ...START, target: { nerveId: 'sural', side: 3 } }).success).toBe(false);
  });
});

/** A stand-in for the loop and the records: what each was told. */
function fakeLoop(refuse: ProtocolRefusal = null, nerveRefused: string | null = null) {
  const presses: ConsolePress[] = [];
  const targets: (TreatmentTarget | null)[] = [];
  const nerves: (string | null)[] = [];
  const protocols: Protocol[] = [];
  const target: CommandTarget = {
    consolePress: (p) => presses.push(p),
    setProtocol: (p) => {
      protocols.push(p);
      return refuse;
    },
    nerveRefusal: () => nerveRefused,
    useNerve: (n) => nerves.push(n),
    useTarget: (t) => targets.push(t),
  };
  const log = capturingLogger();
  const send = (command: ConsoleCommand, origin: 'loopback' | 'remote' = 'loopback'): void => {
    applyConsoleCommand(target, command, origin, origin === 'loopback' ? 'kiosk' : '10.1.2.3', log.logger);
  };
  return { presses, targets, nerves, protocols, send, log };
}

describe('a console start with a target', () => {
  it('hands the target to the records and its nerve to the loop (the verdict), then presses start, and logs the target by name', () => {
    const f = fakeLoop();
    f.send({ ...START, target: { nerveId: 'superficial-peroneal', side: 'right' } });
    expect(f.targets).toEqual([{ nerveId: 'superficial-peroneal', side: 'right' }]);
    expect(f.nerves).toEqual(['superficial-peroneal']);
    expect(f.protocols).toEqual([PRESETS.standard]);
    expect(f.presses).toEqual(['start']);
    expect(f.log.text()).toMatch(/on Superficial peroneal \(fibular\) nerve, right/);
  });

  it('without a target hands null: the run default (--target) applies', () => {
    const f = fakeLoop();
    f.send(START);
    expect(f.targets).toEqual([null]);
    expect(f.nerves).toEqual([null]);
    expect(f.presses).toEqual(['start']);
  });

  it('refused for its nerve changes nothing: no protocol, no target, no nerve, no press; the log names field and value', () => {
    const f = fakeLoop(null, 'target.nerveId: unknown nerve "sciatic" (not in the catalog)');
    f.send({ ...START, target: { nerveId: 'sciatic', side: 'left' } });
    expect(f.protocols).toEqual([]);
    expect(f.targets).toEqual([]);
    expect(f.nerves).toEqual([]);
    expect(f.presses).toEqual([]);
    expect(f.log.text()).toMatch(/console start from kiosk refused: target\.nerveId: unknown nerve \\"sciatic\\"/);
  });

  it('refused for its protocol hands no target and presses nothing', () => {
    const f = fakeLoop({ kind: 'invalid', reason: 'protocol.freezeS: too long' });
    f.send({ ...START, target: { nerveId: 'sural', side: 'left' } });
    expect(f.nerves).toEqual([]);
    expect(f.targets).toEqual([]);
    expect(f.presses).toEqual([]);
  });

  it('under way (it begins no treatment) hands no target, though the step still judges the press', () => {
    const f = fakeLoop({ kind: 'under-way', reason: 'a treatment is under way (Freezing)' });
    f.send({ ...START, target: { nerveId: 'sural', side: 'left' } });
    expect(f.targets).toEqual([]);
    expect(f.nerves).toEqual([]);
    expect(f.presses).toEqual(['start']);
  });

  it('from another machine is refused before anything is handed on', () => {
    const f = fakeLoop();
    f.send({ ...START, target: { nerveId: 'sural', side: 'left' } }, 'remote');
    expect(f.targets).toEqual([]);
    expect(f.presses).toEqual([]);
  });
});
