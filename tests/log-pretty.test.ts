// kernel/log.ts loads pino-pretty only for a pretty logger (a terminal); both kinds still write.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/log.js';

function written(pretty: boolean): string {
  const destination = new PassThrough();
  let text = '';
  destination.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  createLogger({ destination, pretty }).info({ probeId: 'P-1' }, 'probe calibrated');
  return text;
}

describe('createLogger', () => {
  it('writes one human-readable line when pretty (pino-pretty, loaded on demand)', () => {
    const line = written(true);
    expect(line).toContain('probe calibrated');
    expect(line).toContain('P-1');
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(line.trim().split('\n')).toHaveLength(1);
  });

  it('writes JSON lines otherwise', () => {
    expect(JSON.parse(written(false))).toMatchObject({ msg: 'probe calibrated', probeId: 'P-1', level: 30 });
  });
});
