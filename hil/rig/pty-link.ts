// One serial device of the rig: a pseudo-terminal whose slave the host opens at a fixed path (a
// symlink made by socat), whose other side is this process (socat's stdin and stdout). One socat
// serves the device for the rig's whole life, so a host may close and reopen it at any moment, as
// it reopens a USB serial port. socat `ignoreeof` keeps the pty when the host closes it: Linux then
// fails socat's reads with EIO, which socat logs ("probably PTY closed") and retries; that log line
// is how the device learns that its host went away (a console that quit, or was killed: the kernel
// closes a dead process's descriptors). A host is present again when it sends bytes (a Firmata
// host and the front-end's host both speak first).

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { RELAY_RR_PRIORITY, raiseToRealTime } from './priority.js';

/** socat polls for the host's first open this often (its `pty-interval`, seconds). */
const HOST_OPEN_POLL_S = 0.02;
/** A socat that dies (killed from outside) is started again after this. */
export const RESPAWN_DELAY_MS = 200;
/** socat prints this once the host has first opened the slave and the transfer loop starts. */
const TRANSFER_STARTED = 'starting data transfer loop';
/** socat prints this each time a read finds no host on the slave side (EIO). */
const HOST_GONE = 'probably PTY closed';
const LINK_POLL_MS = 10;

export interface PtyLinkEvents {
  /** A host opened the device. */
  readonly onHostOpen: () => void;
  /** The host closed the device (or died). */
  readonly onHostClose: () => void;
  /** Bytes the host wrote. */
  readonly onData: (bytes: Buffer) => void;
  /** socat could not run or died: the reason. */
  readonly onError: (message: string) => void;
}

export class PtyLink {
  readonly path: string;
  readonly #events: PtyLinkEvents;
  readonly #socatPath: string;
  #child: ChildProcessByStdio<Writable, Readable, Readable> | null = null;
  #hostOpen = false;
  #closed = false;
  #respawn: NodeJS.Timeout | null = null;

  constructor(path: string, events: PtyLinkEvents, socatPath = 'socat') {
    this.path = path;
    this.#events = events;
    this.#socatPath = socatPath;
  }

  /** True while a host has the device open (as far as the device can tell). */
  get hostOpen(): boolean {
    return this.#hostOpen;
  }

  /** Starts socat; resolves once its device path exists (rejects if socat fails first). */
  async start(existsNow: () => boolean, timeoutMs: number): Promise<void> {
    this.#spawn();
    const deadline = performance.now() + timeoutMs;
    while (!existsNow()) {
      if (this.#child === null || performance.now() > deadline) {
        throw new Error(`rig: socat did not create ${this.path} within ${timeoutMs} ms; is socat installed (apt-get install socat)?`);
      }
      await new Promise((resolve) => setTimeout(resolve, LINK_POLL_MS));
    }
  }

  /** Sends bytes to the host. Before a host opens the device they wait in the pty (a real board's
   * boot message waits the same way in the USB chip until the host reads it). */
  write(bytes: Buffer): void {
    this.#child?.stdin.write(bytes);
  }

  /** Removes the device. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#respawn !== null) clearTimeout(this.#respawn);
    const child = this.#child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
    child.kill('SIGTERM');
    await exited;
  }

  #present(open: boolean): void {
    if (open === this.#hostOpen) return;
    this.#hostOpen = open;
    if (open) this.#events.onHostOpen();
    else this.#events.onHostClose();
  }

  #spawn(): void {
    const address = `pty,raw,echo=0,link=${this.path},wait-slave,pty-interval=${HOST_OPEN_POLL_S},ignoreeof`;
    const child = spawn(this.#socatPath, ['-d', '-d', address, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    // The relay stands in for the board's USB serial chip: light, and on the latency path of every
    // sample (hil/rig/priority.ts).
    if (child.pid !== undefined) raiseToRealTime(child.pid, RELAY_RR_PRIORITY);
    let pending = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.includes(TRANSFER_STARTED)) this.#present(true);
        else if (line.includes(HOST_GONE)) this.#present(false);
        newline = pending.indexOf('\n');
      }
    });
    child.stdout.on('data', (bytes: Buffer) => {
      this.#present(true);
      this.#events.onData(bytes);
    });
    // A write racing socat's end fails with EPIPE: the bytes are lost, as on a pulled cable.
    child.stdin.on('error', () => undefined);
    child.once('error', (error) => {
      this.#events.onError(`rig: socat for ${this.path}: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      this.#child = null;
      this.#present(false);
      if (this.#closed) return;
      this.#events.onError(`rig: socat for ${this.path} ended (${signal ?? `exit ${code ?? '?'}`}): starting it again`);
      this.#respawn = setTimeout(() => {
        this.#respawn = null;
        if (!this.#closed) this.#spawn();
      }, RESPAWN_DELAY_MS);
    });
  }
}
