// A board's name is shown, logged, recorded with every treatment and sent with the telemetry: it is
// bounded where the board file is read. A 300-character name passed `cryo boards check` and `cryo
// run`, then the telemetry worker refused its data and was restarted for ever; past 256 characters
// the records refused every start (RECORDS_UNAVAILABLE).
import { describe, expect, it } from 'vitest';
import { MAX_BOARD_NAME_CHARS } from '../hal/board-name.js';
import { problemsOf } from './helpers/board-problems.js';
import { TelemetryWorkerDataSchema } from '../src/telemetry/protocol.js';
import { TreatmentStartSchema } from '../src/records/validate.js';

const sim = (name: string): unknown => ({ name, backend: 'sim', calibration: { autoCalibrate: true } });


describe('a board name', () => {
  it(`is refused past ${MAX_BOARD_NAME_CHARS} characters, naming the field`, () => {
    expect(problemsOf(sim('B'.repeat(MAX_BOARD_NAME_CHARS + 1)))).toMatch(/^boards\/x\.json: name: Too big: expected string to have <=200 characters \(got "B+"\)$/);
  });

  it('is refused with a control character in it, naming the field', () => {
    expect(problemsOf(sim('Bench \u001b[2J rig'))).toBe('boards/x.json: name: a board name holds no control characters (it is printed, logged and recorded) (got "Bench \\u001b[2J rig")');
  });

  it(`of ${MAX_BOARD_NAME_CHARS} characters is one the records and the telemetry take`, () => {
    const name = 'B'.repeat(MAX_BOARD_NAME_CHARS);
    expect(problemsOf(sim(name))).toBe('');
    expect(TelemetryWorkerDataSchema.shape.board.safeParse(name).success).toBe(true);
    expect(TreatmentStartSchema.shape.console.shape.boardName.safeParse(name).success).toBe(true);
  });
});

describe("the emulated rig's plant model", () => {
  it('is named after a board of the longest name within the bound, not refused', async () => {
    const { plantModelName } = await import('../src/runtime/board-session.js');
    const { SimBoardSchema } = await import('../hil/sim/board.js');
    const name = plantModelName('B'.repeat(MAX_BOARD_NAME_CHARS));
    expect(name).toHaveLength(MAX_BOARD_NAME_CHARS);
    expect(name.endsWith(' (plant model)')).toBe(true);
    expect(SimBoardSchema.safeParse({ name, backend: 'sim' }).success).toBe(true);
    expect(plantModelName('Bench rig')).toBe('Bench rig (plant model)');
  });
});
