import { z } from 'zod';
import { languages, type Language } from '../../conventions.js';

/**
 * Catalog text people read (a title, an owner, the clause a target comes from) in more than one
 * language. In YAML either a string, which is English, or one entry per language, English required:
 *
 * ```yaml
 * owner:
 *   en: Ministry of Public Security
 *   vi: Bộ Công an
 * ```
 *
 * The English text stays where it always was (the `title` column, the metric labels); the others are
 * kept beside it as {@link TextTranslations} and read in the reader's language, falling back to English.
 */
export const localizedText = z.union(
  [
    z.string().min(1),
    z.strictObject({
      en: z.string().min(1),
      vi: z.string().min(1).optional(),
    } satisfies Record<Language, z.ZodType>),
  ],
  { error: () => `expected text, or text per language: { en: ..., vi: ... } (en required)` },
);

export type LocalizedText = z.infer<typeof localizedText>;

/** Text in the languages beyond English, by language, then by field (`{ vi: { title: ..., owner: ... } }`). */
export type TextTranslations<F extends string> = Partial<Record<Language, Partial<Record<F, string>>>>;

/** The English of a text. */
export function englishOf(text: LocalizedText): string {
  return typeof text === 'string' ? text : text.en;
}

/**
 * The translations of some fields, keyed in a fixed order (languages as listed, fields as given), so
 * two of them compare equal as JSON whatever order they were read in (PostgreSQL's jsonb reorders keys).
 * Empty languages are left out; a value that is not a translation table reads as none.
 */
export function translationsOf<F extends string>(
  fields: readonly F[],
  texts: Partial<Record<F, LocalizedText | undefined>> | ((language: Language, field: F) => unknown),
): TextTranslations<F> {
  const read =
    typeof texts === 'function'
      ? texts
      : (language: Language, field: F) => {
          const text = texts[field];
          return typeof text === 'object' ? text[language] : undefined;
        };
  const out: TextTranslations<F> = {};
  for (const language of languages) {
    if (language === 'en') continue;
    const entry: Partial<Record<F, string>> = {};
    for (const field of fields) {
      const value = read(language, field);
      if (typeof value === 'string' && value !== '') entry[field] = value;
    }
    if (Object.keys(entry).length > 0) out[language] = entry;
  }
  return out;
}

/** The fields a directive and a target translate. */
export const directiveTextFields = ['title', 'issuer'] as const;
export const targetTextFields = ['title', 'owner', 'source'] as const;
export const indicatorTextFields = ['name', 'unit'] as const;
export type IndicatorTranslations = TextTranslations<(typeof indicatorTextFields)[number]>;
export type DirectiveTranslations = TextTranslations<(typeof directiveTextFields)[number]>;
export type TargetTranslations = TextTranslations<(typeof targetTextFields)[number]>;

/** Stored translations (jsonb, any key order, maybe not an object at all) in their canonical form. */
export function storedTranslations<F extends string>(fields: readonly F[], stored: unknown): TextTranslations<F> {
  const table = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
  return translationsOf(fields, (language, field) => {
    const entry = table[language];
    return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)[field] : undefined;
  });
}
