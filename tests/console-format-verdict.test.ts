// The verdict cell's title on the console page (src/console/page/format.ts formatVerdict): r(-20 C)
// at the freeze's end to two decimals, so a freeze judged short never reads as reaching its target.
import { describe, expect, it } from 'vitest';
import { formatVerdict } from '../src/console/page/format.js';

describe('the verdict cell', () => {
  it('shows a freeze that ended just short of its target as short of it', () => {
    const v = formatVerdict({ cycle: 1, r20MmAtEnd: 1.96, targetMm: 2, atTargetMs: 0, effective: false });
    expect(v.text).toBe('#1 NOT effective');
    expect(v.title).toBe('freeze 1: r(-20 °C) at its end 1.96 mm, target 2.0 mm');
  });

  it('says unknown when the estimate stopped', () => {
    expect(formatVerdict({ cycle: 2, r20MmAtEnd: null, targetMm: 3, atTargetMs: 0, effective: false }).title).toBe('freeze 2: r(-20 °C) at its end unknown (no estimate), target 3.0 mm');
  });
});
