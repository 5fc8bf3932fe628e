// Text from an input (a key or value of a settings, board, scenario or calibration file, a name
// from a data folder, a command-line argument) that goes into an error line printed on the
// operator's terminal. A control character there is not text: an ESC sequence can clear the
// screen, hide the line that names the bad field, or set the terminal's title; a newline can
// forge a second line; a bidi override can make the line read as something else. Each is shown
// as its JSON escape (`\u001b`) instead, so the line still names the field and the value, and
// prints as what it is.

/** C0 controls, DEL and the C1 controls, and the Unicode bidi controls. */
// eslint-disable-next-line no-control-regex -- these are exactly the characters it escapes
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, but a newline (between lines of a message) and a tab are kept. */
// eslint-disable-next-line no-control-regex -- these are exactly the characters it escapes
const UNPRINTABLE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escape = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One line of `text`: every control character (newlines too) written as its `\uXXXX` escape. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escape);
}

/** As printable, for a message of several lines: its newlines and tabs are kept. */
export function printableLines(text: string): string {
  return text.replace(UNPRINTABLE_IN_LINES, escape);
}

/** Whether `text` holds any character printable() would escape (a newline and a tab included). */
export function hasControlCharacters(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text);
}
