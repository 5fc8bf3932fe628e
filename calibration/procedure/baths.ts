// The reference baths of issue 3: the menu, and the questions that fix each bath's reference
// temperature (docs/calibration.md has the recipes).
import { sublimationTempC } from '../../kernel/co2.js';
import type { Bath } from '../types.js';
import { parseBarometricPressureBar, parseText, parseWaterBathC } from './answers.js';
import type { Answer } from './answers.js';
import { askUntilValid } from './ask.js';
import type { CalibrationPrompt } from './types.js';

/** A bath the engineer may measure, fixed once its reference temperature is known. */
export interface BathSetup {
  readonly bath: Bath;
  readonly label: string;
  readonly referenceC: number;
  readonly referenceThermometerId: string | null;
}

export type MenuBath = 'ice-point' | 'dry-ice-ethanol' | 'water-bath';
export type MenuChoice = MenuBath | 'done' | 'quit';

/** At least two baths: one point fixes only an offset, and the gain error at -78 C matters most. */
export const MIN_BATHS = 2;

export const BATH_LABELS: Readonly<Record<MenuBath, string>> = {
  'ice-point': 'ice point',
  'dry-ice-ethanol': 'dry ice in ethanol',
  'water-bath': 'water bath',
};

const MENU: readonly { readonly keys: readonly string[]; readonly choice: MenuChoice; readonly text: string }[] = [
  { keys: ['1', 'ice', 'ice-point'], choice: 'ice-point', text: '1  ice point, 0.00 C (crushed ice and water)' },
  { keys: ['2', 'dry-ice', 'dry ice', 'dry-ice-ethanol'], choice: 'dry-ice-ethanol', text: '2  dry ice in ethanol (about -78.5 C; you enter the barometric pressure)' },
  { keys: ['3', 'water', 'water-bath'], choice: 'water-bath', text: '3  stirred water bath near 37 C (you enter a reference thermometer reading)' },
  { keys: ['d', 'done'], choice: 'done', text: 'd  done: fit the calibration' },
  { keys: ['q', 'quit'], choice: 'quit', text: 'q  quit without saving' },
];

export function menuLines(measured: number): string[] {
  return MENU.map((m) => (m.choice === 'done' ? `  ${m.text} (needs ${MIN_BATHS} baths including dry ice, ${measured} measured)` : `  ${m.text}`));
}

/**
 * The bath a calibration cannot do without: treatments run at -60 to -80 C, where a gain error
 * counts most. Ice point and 37 C alone would extrapolate the line 80 C below its coldest point
 * (a MAX31855-style linear error would pass and still read ~7 C warm at -78.5 C).
 */
export const REQUIRED_BATH: MenuBath = 'dry-ice-ethanol';

export function parseMenuChoice(answer: string, measured: number, hasRequiredBath = true): Answer<MenuChoice> {
  const a = answer.trim().toLowerCase();
  const entry = MENU.find((m) => m.keys.includes(a));
  if (entry === undefined) return { ok: false, message: `'${answer.trim().slice(0, 40)}' is not on the menu: choose 1, 2, 3, d (done) or q (quit)` };
  if (entry.choice === 'done' && measured < MIN_BATHS) {
    return { ok: false, message: `at least ${MIN_BATHS} baths are needed before done (${measured} measured so far): choose 1, 2 or 3` };
  }
  if (entry.choice === 'done' && !hasRequiredBath) {
    return { ok: false, message: 'the dry ice in ethanol bath (2) is needed before done: it is the only point at treatment temperatures' };
  }
  return { ok: true, value: entry.choice };
}

/** Ask what fixes the bath's reference temperature and show it. */
export async function setUpBath(prompt: CalibrationPrompt, bath: MenuBath): Promise<BathSetup> {
  const label = BATH_LABELS[bath];
  switch (bath) {
    case 'ice-point':
      prompt.show('Ice point: a Dewar packed with crushed ice of purified water, topped up with water and stirred. Reference 0.00 C.');
      return { bath, label, referenceC: 0, referenceThermometerId: null };
    case 'dry-ice-ethanol': {
      prompt.show('Dry ice in ethanol: the slurry sits at the CO2 sublimation point, which depends on the air pressure.');
      const pressureBar = await askUntilValid(
        prompt,
        'Barometric pressure here, hPa or bar (the station pressure, not the sea-level value of a weather report)? ',
        parseBarometricPressureBar,
      );
      const referenceC = sublimationTempC(pressureBar);
      prompt.show(`At ${(pressureBar * 1000).toFixed(1)} hPa dry ice sublimates at ${referenceC.toFixed(2)} C: that is the reference.`);
      return { bath, label, referenceC, referenceThermometerId: null };
    }
    case 'water-bath': {
      prompt.show('Water bath: stirred, near 37 C, with the reference thermometer beside the probe tip.');
      const referenceC = await askUntilValid(prompt, "Reference thermometer reading, C? ", parseWaterBathC);
      const id = await askUntilValid(prompt, 'Reference thermometer id (asset or serial number)? ', (a) => parseText(a, 'the thermometer id'));
      return { bath, label, referenceC, referenceThermometerId: id };
    }
  }
}
