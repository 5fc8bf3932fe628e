// One console client: what it may do, and the judgement of every message it sends. A message is
// counted against its rate (another machine's: a bucket shared by that address's connections;
// this machine's: one per connection; rate.ts), a stop is never refused for the rate,
// measured, parsed, validated (ClientMessageSchema) and checked against the client's access
// before anything is forwarded; a refusal goes back to the client with its reason and to the log,
// and forwards nothing.
import { MAX_CLIENT_MESSAGE_BYTES } from '../protocol.js';
import type { ClientOrigin, ConsoleCommand } from '../protocol.js';
import { ClientMessageSchema } from '../wire.js';
import type { Access } from '../wire.js';
import { FLOOD_EXCESS_MESSAGES, FLOOD_EXCESS_PER_S, RATE_MESSAGES_PER_S, TokenBucket } from './rate.js';
import { tokensEqual } from './token.js';

export const READ_ONLY_REASON = 'read-only: a client from another machine needs the console token (cryo token) to send commands';
export const KIOSK_ONLY_REASON = 'start and audio pause are accepted only from the console itself (loopback), even with the token';

export function accessOf(origin: ClientOrigin, hasToken: boolean): Access {
  if (origin === 'loopback') return { origin, canCommand: true, canStart: true, canAudioPause: true, reason: null };
  if (hasToken) return { origin, canCommand: true, canStart: false, canAudioPause: false, reason: KIOSK_ONLY_REASON };
  return { origin, canCommand: false, canStart: false, canAudioPause: false, reason: READ_ONLY_REASON };
}

export type Verdict =
  | { readonly kind: 'forward'; readonly command: ConsoleCommand }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'refused'; readonly command: string | null; readonly reason: string }
  /** The connection sent FLOOD_EXCESS_MESSAGES beyond its rate: close it, read nothing more. */
  | { readonly kind: 'flood'; readonly reason: string };

export const RATE_REASON = `rate limit: more than ${RATE_MESSAGES_PER_S} messages a second`;
export const FLOOD_REASON = `rate: more than ${FLOOD_EXCESS_MESSAGES} messages over the limit of ${RATE_MESSAGES_PER_S} a second`;

/** The type a refused message claimed, for the reply (bounded; null when it had none). */
function claimedType(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('type' in value)) return null;
  const type = value.type;
  return typeof type === 'string' ? type.slice(0, 40) : null;
}

export class ClientSession {
  private hasToken: boolean;
  /** This connection's allowance of messages beyond its rate (FLOOD_EXCESS_MESSAGES). */
  private readonly excess: TokenBucket;

  constructor(
    readonly id: string,
    readonly origin: ClientOrigin,
    hasToken: boolean,
    /** This client's rate: another machine's is shared with its address's other connections
     * (AddressRates); one on this machine (loopback) has its own. */
    private readonly bucket: TokenBucket,
    /** The current token, read when needed (a rotation takes effect for the next client). */
    private readonly currentToken: () => string,
    nowMs: number,
  ) {
    this.hasToken = hasToken;
    this.excess = new TokenBucket(nowMs, FLOOD_EXCESS_MESSAGES, FLOOD_EXCESS_PER_S);
  }

  access(): Access {
    return accessOf(this.origin, this.hasToken);
  }

  /** A stop is never refused for the rate: it is idempotent, the link coalesces it into one slot
   * (COMMAND_SLOTS), and refusing it during a freeze protects nothing. It still counts toward the
   * rate and the flood allowance like any message. */
  judge(data: Buffer, isBinary: boolean, nowMs: number): Verdict {
    const withinRate = this.bucket.take(nowMs);
    if (!withinRate && !this.excess.take(nowMs)) return { kind: 'flood', reason: FLOOD_REASON };
    /** Over the rate, only a valid stop goes on; any other message is refused for the rate. */
    const refuse = (command: string | null, reason: string): Verdict => ({ kind: 'refused', command, reason: withinRate ? reason : RATE_REASON });
    if (data.length > MAX_CLIENT_MESSAGE_BYTES) {
      return refuse(null, `message of ${data.length} bytes is over the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit (not read)`);
    }
    if (isBinary) return refuse(null, 'binary message: send JSON text');
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch {
      return refuse(null, 'not JSON');
    }
    const parsed = ClientMessageSchema.safeParse(value);
    const command = claimedType(value);
    if (!parsed.success) {
      const known = ['start', 'stop', 'acknowledge', 'audio-pause', 'auth'];
      if (command === null || !known.includes(command)) {
        return refuse(command, command === null ? 'no message type' : `unknown message type '${command}'`);
      }
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? 'message' : issue.path.join('.');
      return refuse(command, `${where}: ${issue?.message ?? 'invalid'}`);
    }
    if (!withinRate && parsed.data.type !== 'stop') return refuse(parsed.data.type, RATE_REASON);
    const message = parsed.data;
    if (message.type === 'auth') {
      if (!tokensEqual(message.token, this.currentToken())) return { kind: 'refused', command: 'auth', reason: 'wrong token' };
      this.hasToken = true;
      return { kind: 'authenticated' };
    }
    const access = this.access();
    if (!access.canCommand) return { kind: 'refused', command: message.type, reason: READ_ONLY_REASON };
    if (message.type === 'start' && !access.canStart) return { kind: 'refused', command: message.type, reason: KIOSK_ONLY_REASON };
    if (message.type === 'audio-pause' && !access.canAudioPause) return { kind: 'refused', command: message.type, reason: KIOSK_ONLY_REASON };
    return { kind: 'forward', command: message };
  }
}
