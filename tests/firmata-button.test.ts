import { describe, expect, it } from 'vitest';
import { DebouncedInput } from '../hal/firmata/button.js';

const button = () => new DebouncedInput({ polarity: 'active-low', debounceMs: 20, initial: false });
const PRESSED = 0;
const RELEASED = 1;

describe('a debounced button', () => {
  it('shows a press that held for the debounce time but ended between two reads', () => {
    const b = button();
    b.sample(RELEASED, 0);
    expect(b.value(10)).toBe(false);
    b.sample(PRESSED, 15); // held 30 ms, reads come at 10, 30 and 50 ms
    expect(b.value(30)).toBe(false); // 15 ms so far: not yet debounced
    b.sample(RELEASED, 45);
    expect(b.value(50)).toBe(true); // the 30 ms press is seen
    expect(b.value(70)).toBe(false); // and the release once it has held 20 ms
  });

  it('ignores a bounce shorter than the debounce time', () => {
    const b = button();
    b.sample(RELEASED, 0);
    b.sample(PRESSED, 15);
    b.sample(RELEASED, 25);
    expect(b.value(30)).toBe(false);
    expect(b.value(60)).toBe(false);
  });
});
