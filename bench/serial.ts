// Thermocouple front-end throughput: sample lines per second through the bounded framer and the
// checking decoder, against a baseline measured in the same run on the same bytes: a bare split
// on newlines (no bounds, no checksum, no field checks). The ratio is what validation costs.
import { LineFramer } from '../hal/serial/framer.js';
import { decodeLine, encodeLine } from '../hal/serial/protocol.js';

export interface SerialFigures {
  lines: number;
  linesPerS: number;
  baselineLinesPerS: number;
  /** framer + decoder time over the bare split's time. */
  costRatio: number;
  decodedOk: number;
}

const LINES = 200_000;
/** Bytes handed over per chunk, like a USB-serial driver's reads. */
const CHUNK_BYTES = 64;

function sampleBytes(): Buffer {
  const text: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const tempC = -78.5 + Math.sin(i / 50) * 10;
    text.push(encodeLine({ kind: 'sample', seq: i % 65_536, channel: i % 2, tempC, coldJunctionC: 24.75, faultBits: 0 }));
  }
  return Buffer.from(text.join(''), 'ascii');
}

function chunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) out.push(bytes.subarray(i, i + CHUNK_BYTES));
  return out;
}

export function benchSerial(): SerialFigures {
  const parts = chunks(sampleBytes());
  let ok = 0;
  const framer = new LineFramer((line) => {
    if (decodeLine(line).kind === 'sample') ok += 1;
  });
  const t0 = process.hrtime.bigint();
  for (const c of parts) framer.push(c);
  const t1 = process.hrtime.bigint();
  let pending = '';
  let baselineLines = 0;
  for (const c of parts) {
    const pieces = (pending + c.toString('ascii')).split('\n');
    pending = pieces.pop() ?? '';
    baselineLines += pieces.length;
  }
  const t2 = process.hrtime.bigint();
  const checkedS = Number(t1 - t0) / 1e9;
  const bareS = Number(t2 - t1) / 1e9;
  if (baselineLines !== LINES) throw new Error(`bench: baseline split ${baselineLines} lines, expected ${LINES}`);
  return {
    lines: LINES,
    linesPerS: Math.round(LINES / checkedS),
    baselineLinesPerS: Math.round(LINES / bareS),
    costRatio: Number((checkedS / bareS).toFixed(2)),
    decodedOk: ok,
  };
}
