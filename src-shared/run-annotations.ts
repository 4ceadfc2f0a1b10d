/**
 * The rules for a run's tags and notes (its annotations), shared by the API's validators, the CLI and
 * the run page's form: one place decides what a tag may be.
 */

/** Longest tag accepted (characters). */
export const MAX_TAG_LENGTH = 40;
/** Most tags one run may carry. */
export const MAX_TAGS_PER_RUN = 32;
/** Longest notes accepted (characters): room for a page of text, not for pasted logs. */
export const MAX_NOTES_LENGTH = 20_000;

/** A rejected tag or notes; the message names the value and the problem. */
export class AnnotationError extends Error {
  override name = 'AnnotationError';
}

/**
 * A tag as stored: trimmed, non-empty, at most MAX_TAG_LENGTH characters, one word (no whitespace, so
 * the Runs filter's `tag:x` and the CLI's `--tag a b` read it whole) and no commas (the store lists a
 * run's tags comma-separated). Throws AnnotationError otherwise.
 */
export function normalizeTag(raw: string): string {
  const tag = raw.trim();
  if (tag === '') throw new AnnotationError('a tag must not be empty');
  if (tag.length > MAX_TAG_LENGTH)
    throw new AnnotationError(`tag '${tag.slice(0, MAX_TAG_LENGTH)}…': at most ${MAX_TAG_LENGTH} characters`);
  if (tag.includes(',')) throw new AnnotationError(`tag '${tag}': must not contain commas`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(tag)) throw new AnnotationError(`tag '${tag}': must be one word (no spaces)`);
  return tag;
}

/** Several tags normalized, duplicates dropped, in the order given. */
export function normalizeTags(raw: readonly string[]): string[] {
  return [...new Set(raw.map(normalizeTag))];
}

/** Notes as stored: trailing whitespace dropped; AnnotationError when longer than MAX_NOTES_LENGTH. */
export function normalizeNotes(raw: string): string {
  const notes = raw.trimEnd();
  if (notes.length > MAX_NOTES_LENGTH)
    throw new AnnotationError(`notes: at most ${MAX_NOTES_LENGTH} characters (got ${notes.length})`);
  return notes;
}
