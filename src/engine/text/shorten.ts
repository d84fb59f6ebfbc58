// Echoing what the user typed back in an error message: a long value (a 5,000-character lab id
// pasted into a URL) is cut, so the message stays a line that says what went wrong.

/** Values longer than this many characters are cut. */
export const MAX_ECHO = 64;

/** `text` as an error message quotes it: cut at MAX_ECHO characters, saying how long it was. */
export function shorten(text: string, max = MAX_ECHO): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}
