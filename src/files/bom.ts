// A UTF-8 byte order mark, as some Windows editors save it: JSON parsers
// reject it and YAML drops it when printing. Files are read without it and
// written back with it, so the user's editor finds the file as it left it.

export const BOM = '\uFEFF';

/** The text without a leading BOM. */
export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}

/** `text` with the leading BOM `like` has, if any. */
export function bomLike(like: string, text: string): string {
  return like.startsWith(BOM) && !text.startsWith(BOM) ? BOM + text : text;
}
