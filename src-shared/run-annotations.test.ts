import { describe, expect, it } from 'vitest';
import {
  AnnotationError,
  MAX_NOTES_LENGTH,
  MAX_TAG_LENGTH,
  normalizeNotes,
  normalizeTag,
  normalizeTags,
} from './run-annotations.ts';

describe('run tags and notes', () => {
  it('trims a tag and keeps its case and characters', () => {
    expect(normalizeTag('  best-k ')).toBe('best-k');
    expect(normalizeTag('ρ=0.5')).toBe('ρ=0.5');
    expect(normalizeTag('x'.repeat(MAX_TAG_LENGTH))).toHaveLength(MAX_TAG_LENGTH);
  });

  it('refuses empty, long, comma and multi-word tags, naming the tag', () => {
    expect(() => normalizeTag('   ')).toThrow(new AnnotationError('a tag must not be empty'));
    expect(() => normalizeTag('x'.repeat(MAX_TAG_LENGTH + 1))).toThrow(`at most ${MAX_TAG_LENGTH} characters`);
    expect(() => normalizeTag('a,b')).toThrow("tag 'a,b': must not contain commas");
    expect(() => normalizeTag('two words')).toThrow("tag 'two words': must be one word (no spaces)");
    expect(() => normalizeTag('tab\there')).toThrow(AnnotationError);
  });

  it('drops repeated tags, keeping the first order', () => {
    expect(normalizeTags(['b', ' a', 'b ', 'a'])).toEqual(['b', 'a']);
    expect(() => normalizeTags(['ok', ''])).toThrow(AnnotationError);
  });

  it('bounds notes and drops trailing whitespace only', () => {
    expect(normalizeNotes('  indented\nline  \n\n')).toBe('  indented\nline');
    expect(normalizeNotes('x'.repeat(MAX_NOTES_LENGTH))).toHaveLength(MAX_NOTES_LENGTH);
    expect(() => normalizeNotes('x'.repeat(MAX_NOTES_LENGTH + 1))).toThrow(
      `notes: at most ${MAX_NOTES_LENGTH} characters`,
    );
  });
});
