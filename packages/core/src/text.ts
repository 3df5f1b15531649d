// Text that came from outside (a service's answer, a header, a file) is printed only after it has
// been made inert. The runner reads `::name::` at the start of a line and `##[name]` anywhere in a
// line as workflow commands, so a crafted error message or user name could otherwise forge an
// annotation, open a log group or stop command processing. Masking is not affected: secrets are
// never passed through here, they are never printed at all.

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const ZERO_WIDTH_SPACE = '\u200b';

/**
 * One printable line: control characters become a space, and every `::` and `##[` gets a
 * zero-width space inside it, so the text reads the same to a person and means nothing to the
 * runner. Bounded in length, since a hostile answer can be as long as it likes.
 */
export function printable(text: string, maxLength = 500): string {
  const line = text
    .replace(CONTROL, ' ')
    .replace(/::/g, `:${ZERO_WIDTH_SPACE}:`)
    .replace(/##\[/g, `#${ZERO_WIDTH_SPACE}#[`)
    .replace(/ {2,}/g, ' ')
    .trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** Folds any text onto one line and bounds its length, so one failure is one log line. */
export function oneLine(text: string, maxLength = 1000): string {
  const folded = text
    .replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return folded.length > maxLength ? `${folded.slice(0, maxLength - 1)}…` : folded;
}
