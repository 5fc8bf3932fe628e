// The rig's physical record: one JSON object per line, appended as things happen, so a test (or an
// engineer) sees what the valves, their power and the gas did whatever the console believed.
// `t` is wall-clock epoch milliseconds (performance.timeOrigin + performance.now()), the same time
// base in every process on the machine; plant events carry the plant model's time, which moves in
// PLANT_SUBSTEP_MS steps.

import { closeSync, openSync, writeSync } from 'node:fs';

export type RigDevice = 'uno' | 'frontend';

export type TraceEvent =
  | { readonly kind: 'rig-start'; readonly pid: number; readonly uno: string; readonly frontend: string }
  | { readonly kind: 'rig-stop' }
  /** A host opened or closed a device (a console started, quit or died). */
  | { readonly kind: 'host'; readonly device: RigDevice; readonly open: boolean }
  /** The host's port closed: the Uno resets, every pin an input. */
  | { readonly kind: 'uno-reset' }
  /** A level change of the heartbeat output, as the external watchdog sees it. */
  | { readonly kind: 'heartbeat'; readonly level: boolean }
  /** The valve coils as the Uno's pins command them. */
  | { readonly kind: 'valve-command'; readonly supplyOpen: boolean; readonly safetyOpen: boolean }
  /** Valve power through the watchdog and the e-stop. */
  | { readonly kind: 'valve-power'; readonly on: boolean }
  /** The external watchdog cut valve power: no heartbeat edge for WATCHDOG_TIMEOUT_MS. */
  | { readonly kind: 'watchdog-trip'; readonly lastHeartbeatEdgeMs: number | null }
  /** The valve seats (physical position, after the valve delay). */
  | { readonly kind: 'valves'; readonly supplyOpen: boolean; readonly safetyOpen: boolean }
  /** Gas starts or stops flowing through the probe. */
  | { readonly kind: 'flow'; readonly flowing: boolean; readonly gPerS: number }
  /** The true plant state, every PLANT_SAMPLE_MS. */
  | { readonly kind: 'plant'; readonly gPerS: number; readonly tipC: number; readonly supplyBarAbs: number; readonly returnBarAbs: number }
  /** A button on the rig's panel (control socket). */
  | { readonly kind: 'button'; readonly name: string; readonly pressed: boolean }
  | { readonly kind: 'frontend-fault'; readonly channel: number; readonly bits: number };

export type TraceRecord = TraceEvent & { readonly t: number };

export class TraceWriter {
  readonly #fd: number;
  #closed = false;

  /** Appends to `path` (created if missing). */
  constructor(readonly path: string) {
    this.#fd = openSync(path, 'a');
  }

  /** Written at once (a synchronous append): a rig killed the next moment still has the line. */
  write(t: number, event: TraceEvent): void {
    if (this.#closed) return;
    writeSync(this.#fd, `${JSON.stringify({ t, ...event })}\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}

/** Parses a trace file's text; a last line cut short by a concurrent write is left out. */
export function parseTrace(text: string): TraceRecord[] {
  const records: TraceRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as TraceRecord);
    } catch {
      // Only a partial last line can fail to parse; it is read again next time.
    }
  }
  return records;
}
