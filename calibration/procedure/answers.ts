// Parsing of the engineer's answers. Pure: each returns the value or a message naming what is
// accepted, and the caller asks again. Nothing here throws on any input.

export type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Answer<T> => ({ ok: true, value });
const no = <T>(message: string): Answer<T> => ({ ok: false, message });

/** The record schema's limit for free-text fields (calibratedBy, referenceThermometerId). */
export const MAX_TEXT_LENGTH = 200;
/**
 * Barometric (station, absolute) pressure: 500 hPa is about 5 500 m, above any plausible lab;
 * 1 100 hPa is above the highest sea-level pressure ever recorded (1 084 hPa).
 */
export const MIN_BAROMETRIC_HPA = 500;
export const MAX_BAROMETRIC_HPA = 1100;
const HPA_PER_BAR = 1000;
/** A stirred water bath "near 37 C": body temperature +-7 C, well inside a Type T/K range. */
export const WATER_BATH_MIN_C = 30;
export const WATER_BATH_MAX_C = 45;

// The C0 controls, DEL, the C1 controls (U+0080-U+009F: U+009B is a terminal's CSI, as ESC [ is)
// and the bidi controls, which make a printed name read as something else (kernel/printable.ts).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Free text for the record: trimmed, 1-200 characters, no control characters. */
export function parseText(answer: string, what: string): Answer<string> {
  const text = answer.trim();
  if (text === '') return no(`${what} must not be empty`);
  if (text.length > MAX_TEXT_LENGTH) return no(`${what} must be at most ${MAX_TEXT_LENGTH} characters (got ${text.length})`);
  if (CONTROL_CHARS.test(text)) return no(`${what} must not contain control characters`);
  return ok(text);
}

export function parseYesNo(answer: string): Answer<boolean> {
  const a = answer.trim().toLowerCase();
  if (a === 'y' || a === 'yes') return ok(true);
  if (a === 'n' || a === 'no') return ok(false);
  return no(`'${shorten(answer)}' is not an answer: type yes or no`);
}

/** `yes` once the probe is in the bath, `skip` to go back to the bath menu. */
export function parseReady(answer: string): Answer<'ready' | 'skip'> {
  const a = answer.trim().toLowerCase();
  if (a === 'y' || a === 'yes') return ok('ready');
  if (a === 's' || a === 'skip') return ok('skip');
  return no(`'${shorten(answer)}' is not an answer: type yes when the probe is in the bath, or skip to choose another bath`);
}

/**
 * Barometric pressure as `1013`, `1013 hPa`, `1013 mbar` or `1.013 bar`; a bare number is hPa
 * from 100 up and bar up to 2 (nothing in between is a plausible pressure in either unit).
 * Returns bar absolute.
 */
export function parseBarometricPressureBar(answer: string): Answer<number> {
  const range = `${MIN_BAROMETRIC_HPA}-${MAX_BAROMETRIC_HPA} hPa (e.g. 1013) or ${MIN_BAROMETRIC_HPA / HPA_PER_BAR}-${MAX_BAROMETRIC_HPA / HPA_PER_BAR} bar (e.g. 1.013 bar)`;
  const match = /^(\d+(?:\.\d+)?)\s*(hpa|mbar|bar)?$/i.exec(answer.trim());
  const number = match?.[1];
  if (match === null || number === undefined) return no(`'${shorten(answer)}' is not a pressure: enter ${range}`);
  const value = Number(number);
  const unit = match[2]?.toLowerCase() ?? (value >= 100 ? 'hpa' : value <= 2 ? 'bar' : null);
  if (unit === null) return no(`${value}: give the unit (hPa or bar): enter ${range}`);
  const hPa = unit === 'bar' ? value * HPA_PER_BAR : value;
  if (!(hPa >= MIN_BAROMETRIC_HPA && hPa <= MAX_BAROMETRIC_HPA)) return no(`${shorten(answer)} is outside the plausible range: enter ${range}`);
  return ok(hPa / HPA_PER_BAR);
}

/** The reference thermometer's reading of the water bath, C (`37.02` or `37.02 C`). */
export function parseWaterBathC(answer: string): Answer<number> {
  const range = `${WATER_BATH_MIN_C} to ${WATER_BATH_MAX_C} C`;
  const match = /^([+-]?\d+(?:\.\d+)?)\s*(?:c|°c)?$/i.exec(answer.trim());
  const number = match?.[1];
  if (number === undefined) return no(`'${shorten(answer)}' is not a temperature: enter the reference thermometer's reading in C, ${range}`);
  const value = Number(number);
  if (!(value >= WATER_BATH_MIN_C && value <= WATER_BATH_MAX_C)) {
    return no(`${value} C is outside ${range}: bring the water bath near 37 C and enter its reading`);
  }
  return ok(value);
}

/** Echo at most 40 characters of a bad answer back: a pasted page must not flood the terminal. */
function shorten(text: string): string {
  const t = text.trim().replace(new RegExp(CONTROL_CHARS.source, 'g'), '?');
  return t.length > 40 ? `${t.slice(0, 40)}...` : t;
}
