// Python's notion of whitespace and decimal digits in text, as str.strip(), int(), float() and
// Decimal() read them: shared by the codec's number parsing and the value classes' parsers.

/** Python's whitespace, as str.strip(), int() and float() see it. */
export function isPythonSpace(code: number): boolean {
  return (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x20) || code === 0x85 || code === 0xa0 ||
    code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000;
}

/** `text` without the characters `isSpace` takes for whitespace around it. */
export function stripWhere(text: string, isSpace: (code: number) => boolean): string {
  // Index loops, not a regex: an anchored /\s+$/ backtracks quadratically.
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Python's str.strip(). */
export function pythonStrip(text: string): string {
  return stripWhere(text, isPythonSpace);
}

const DECIMAL_DIGIT = /\p{Nd}/u;

/**
 * The ASCII digit of a decimal digit of any script (Arabic-Indic '١', fullwidth '５' …), as Python
 * reads them in numbers; undefined for anything else. Unicode encodes such digits only in runs of 0
 * to 9 in order, so a digit's value is its distance from the start of its stretch of digits, modulo
 * 10. (Which characters are digits follows this JavaScript engine's Unicode version, which may be
 * newer than the Python's.)
 */
export function asciiDigit(char: string): string | undefined {
  if (!DECIMAL_DIGIT.test(char)) return undefined;
  const codePoint = char.codePointAt(0)!;
  let start = codePoint;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return String((codePoint - start) % 10);
}
