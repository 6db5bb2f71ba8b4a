// Nesting deep enough to overflow the stack of a recursive reader (jsonc-
// parser's tree, JSON.stringify, the merges' walks) is found first, by a loop
// that does not recurse, so such a file is named as the user's mistake
// (file:line:column, exit 2) instead of ending a run with a RangeError.

/** Deeper than any file the generator writes or a user edits by hand. */
export const MAX_NESTING = 64;

/** Offset of the first `{` or `[` nested deeper than MAX_NESTING in JSON or JSONC text; -1 if none. */
export function tooDeepAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_NESTING) return i;
    } else if (c === '}' || c === ']') depth--;
  }
  return -1;
}
