/** A NUL or any UTF-16 surrogate: the only characters the precise checks below need to look at. */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const suspect = /[\u0000\ud800-\udfff]/;

/**
 * Why `text` cannot be stored as PostgreSQL text, or undefined when it can. PostgreSQL refuses a NUL
 * character in text and jsonb, and a lone UTF-16 surrogate has no UTF-8 form (drivers turn it into
 * U+FFFD, which silently changes the data). One regex test per string in the common case: the scan
 * runs only when the string holds a NUL or a surrogate at all (a surrogate pair, i.e. an emoji, is fine).
 */
export function storedTextProblem(text: string): string | undefined {
  if (!suspect.test(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return `contains a NUL character (U+0000) at position ${i + 1}`;
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return `contains a lone UTF-16 surrogate (U+${c.toString(16).toUpperCase()}) at position ${i + 1}`;
  }
  return undefined;
}

/**
 * `text` with NUL characters and lone surrogates written out as `\u0000`-style escapes: client text
 * echoed in an issue (a message, an unknown field's name) must itself be storable and printable.
 */
export function storableText(text: string): string {
  if (storedTextProblem(text) === undefined) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += text[i]! + text[i + 1]!;
      i++;
    } else if (c === 0 || (c >= 0xd800 && c <= 0xdfff)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += text[i]!;
  }
  return out;
}
