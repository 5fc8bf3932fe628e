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
