// Console keys on the simulated board. Unknown keys are named and ignored: nothing unsafe happens.
export type KeyAction = 'start' | 'stop' | 'estop-toggle' | 'acknowledge' | 'audioPause' | 'newSite' | 'footswitch-toggle' | 'quit';

const KEYS: Readonly<Record<string, KeyAction>> = {
  s: 'start',
  x: 'stop',
  e: 'estop-toggle',
  a: 'acknowledge',
  p: 'audioPause',
  n: 'newSite',
  f: 'footswitch-toggle',
  q: 'quit',
  '\u0003': 'quit', // Ctrl-C in raw mode
};

export function keyAction(key: string): KeyAction | null {
  return KEYS[key.toLowerCase()] ?? null;
}

/** Characters that are whitespace from a piped stdin: not worth a warning. */
export function isIgnorable(key: string): boolean {
  return key === '\n' || key === '\r' || key === ' ' || key === '\t';
}

const ESC = '\u001b';
/** The C1 control a terminal may send instead of ESC [. */
const C1_CSI = '\u009b';
/** Longest escape sequence kept whole; a longer one is dropped and reading starts afresh. */
const MAX_SEQUENCE_CHARS = 32;

/**
 * Splits what the terminal sends into the keys pressed. A function key, an arrow or Home/End comes
 * as an escape sequence (ESC [ ... final, or ESC O x: F4 is ESC O S, Up is ESC [ A, End ESC [ F);
 * each is one key, returned whole, which is no command. Taken a character at a time, F4 pressed
 * start, F2 quit, Up acknowledged and F1 paused the audio. A sequence split across reads is kept
 * whole (the state carries over). A lone ESC followed by anything else is a key of its own (Esc):
 * the key after it keeps its meaning, so a stop typed after Esc is still a stop.
 */
export class KeyReader {
  /** The escape sequence read so far; '' between sequences. */
  #sequence = '';

  keys(data: string): string[] {
    const keys: string[] = [];
    for (const ch of data) {
      if (this.#sequence === '') {
        if (ch === ESC || ch === C1_CSI) this.#sequence = ch;
        else keys.push(ch);
        continue;
      }
      if (this.#sequence === ESC) {
        if (ch === '[' || ch === 'O') {
          this.#sequence += ch;
        } else {
          // Esc on its own, then a key that means what it says.
          keys.push(ESC);
          this.#sequence = '';
          if (ch === ESC || ch === C1_CSI) this.#sequence = ch;
          else keys.push(ch);
        }
        continue;
      }
      // The Linux console's F1-F5 are ESC [ [ A-E: the second '[' opens the key, not ends it.
      if (this.#sequence === `${ESC}[` && ch === '[') {
        this.#sequence += ch;
        continue;
      }
      this.#sequence += ch;
      if (this.#ended(ch) || this.#sequence.length >= MAX_SEQUENCE_CHARS) {
        keys.push(this.#sequence);
        this.#sequence = '';
      }
    }
    return keys;
  }

  /** Whether `ch` ends the sequence read so far: the one character after ESC O or ESC [ [, or a
   * CSI's final byte (0x40-0x7E; its parameters and intermediates are 0x20-0x3F). */
  #ended(ch: string): boolean {
    if (this.#sequence.startsWith(`${ESC}O`) || this.#sequence.startsWith(`${ESC}[[`)) return true;
    const code = ch.charCodeAt(0);
    return code >= 0x40 && code <= 0x7e;
  }
}
