/**
 * The text up to the end of its last `endMarker` (shorter than the marker when there is none).
 * Internal to the certificates folder.
 *
 * PEM blocks are found with a lazy regex, `BEGIN[\s\S]*?END`. A BEGIN with no END after it makes
 * that regex scan to the end of the text from every BEGIN: quadratic, about a minute for a
 * megabyte of BEGIN lines. Every block ends at or before the last END marker, so the cut text
 * holds the same blocks, and in it every BEGIN finds its END: one pass.
 */
export function throughLastMarker(text: string, endMarker: string): string {
  return text.slice(0, text.lastIndexOf(endMarker) + endMarker.length);
}
