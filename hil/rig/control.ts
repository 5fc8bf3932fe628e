// The rig's panel, reached over a Unix socket in its run directory: the operator inputs wired to
// the Uno (what a person presses on the bench), faults put on the front-end's wire, and the true
// plant state (whether gas flows). One JSON object per line each way. Requests carry an `id` that
// the answer echoes; every client is also told at once, and at each change, whether gas flows.

import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import { z } from 'zod';
import { RIG_BUTTONS, type RigButton } from './buttons.js';
import type { RigDevice } from './device.js';

const RequestSchema = z.discriminatedUnion('op', [
  z.object({ id: z.number().int(), op: z.literal('button'), name: z.enum(RIG_BUTTONS), pressed: z.boolean() }).strict(),
  z.object({ id: z.number().int(), op: z.literal('frontend-fault'), channel: z.number().int().min(0).max(3), bits: z.number().int().min(0).max(15) }).strict(),
  z.object({ id: z.number().int(), op: z.literal('status') }).strict(),
]);
export type RigRequest = z.infer<typeof RequestSchema>;
type RequestBody = RigRequest extends infer R ? (R extends RigRequest ? Omit<R, 'id'> : never) : never;

export interface RigStatus {
  readonly pid: number;
  readonly flowing: boolean;
  readonly valvePowerOn: boolean;
  readonly supplyValveOpen: boolean;
  readonly safetyValveOpen: boolean;
  readonly tipTrueC: number;
}

export type RigMessage =
  | { readonly id: number; readonly ok: true; readonly status?: RigStatus }
  | { readonly id: number | null; readonly ok: false; readonly error: string }
  | { readonly event: 'flow'; readonly flowing: boolean };

/** Lines longer than this are not requests: the connection is dropped. */
const MAX_LINE_CHARS = 4_096;

function statusOf(device: RigDevice): RigStatus {
  const s = device.plant();
  return { pid: process.pid, flowing: s.flowing, valvePowerOn: s.valvePowerOn, supplyValveOpen: s.supplyValveOpen, safetyValveOpen: s.safetyValveOpen, tipTrueC: s.tipTrueC };
}

export interface ControlServer {
  close(): Promise<void>;
}

/** Serves `device`'s panel on `socketPath` (a stale socket file from a killed rig is replaced). */
export async function serveControl(device: RigDevice, socketPath: string): Promise<ControlServer> {
  if (existsSync(socketPath)) rmSync(socketPath);
  const clients = new Set<net.Socket>();
  const send = (socket: net.Socket, message: RigMessage): void => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  const unsubscribe = device.onFlowChange((flowing) => {
    for (const socket of clients) send(socket, { event: 'flow', flowing });
  });
  const handle = (socket: net.Socket, line: string): void => {
    let request: RigRequest;
    try {
      request = RequestSchema.parse(JSON.parse(line));
    } catch (err) {
      send(socket, { id: null, ok: false, error: `not a rig request: ${(err as Error).message}` });
      return;
    }
    if (request.op === 'button') device.setButton(request.name, request.pressed);
    else if (request.op === 'frontend-fault') device.setFrontendFaultBits(request.channel, request.bits);
    send(socket, request.op === 'status' ? { id: request.id, ok: true, status: statusOf(device) } : { id: request.id, ok: true });
  };
  const server = net.createServer((socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => undefined);
    send(socket, { event: 'flow', flowing: device.plant().flowing });
    let pending = '';
    socket.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        handle(socket, pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      if (pending.length > MAX_LINE_CHARS) socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const socket of clients) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A console's (or a test's) side of the panel. */
export class RigClient {
  readonly #socket: net.Socket;
  readonly #waiting = new Map<number, { resolve: (m: RigMessage) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #flowing: boolean | null = null;
  #closed = false;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    let pending = '';
    socket.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        this.#receive(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    const fail = (): void => {
      this.#closed = true;
      for (const w of this.#waiting.values()) w.reject(new Error('rig: the control connection closed'));
      this.#waiting.clear();
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  /** Connects to a running rig; rejects when none listens at `socketPath`. */
  static connect(socketPath: string): Promise<RigClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RigClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Whether gas flows in the plant, as the rig last said; null before it said. */
  get flowing(): boolean | null {
    return this.#flowing;
  }

  setButton(name: RigButton, pressed: boolean): Promise<void> {
    return this.#request({ op: 'button', name, pressed }).then(() => undefined);
  }

  setFrontendFaultBits(channel: number, bits: number): Promise<void> {
    return this.#request({ op: 'frontend-fault', channel, bits }).then(() => undefined);
  }

  async status(): Promise<RigStatus> {
    const answer = await this.#request({ op: 'status' });
    if (!('status' in answer) || answer.status === undefined) throw new Error('rig: status answer without a status');
    return answer.status;
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #request(body: RequestBody): Promise<RigMessage> {
    if (this.#closed) return Promise.reject(new Error('rig: the control connection is closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#socket.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  #receive(line: string): void {
    let message: RigMessage;
    try {
      message = JSON.parse(line) as RigMessage;
    } catch {
      return;
    }
    if ('event' in message) {
      this.#flowing = message.flowing;
      return;
    }
    if (message.id === null) return;
    const waiting = this.#waiting.get(message.id);
    if (waiting === undefined) return;
    this.#waiting.delete(message.id);
    if (message.ok) waiting.resolve(message);
    else waiting.reject(new Error(message.error));
  }
}
