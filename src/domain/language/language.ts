import { languages, type Language } from '../../conventions.js';

/**
 * Which language a person asked for, from the ways they ask: a `?lang=` or `--lang` value, an
 * `Accept-Language` header, a POSIX locale (`LANG=vi_VN.UTF-8`). Only the languages Pacer has
 * (`languages` in the conventions) are answered; anything else is no answer, so the next way decides.
 */

/** The default language: what the machine fields are written in, and what a reader gets when nothing else says. */
export const defaultLanguage: Language = 'en';

/** True for `en` and `vi`. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/**
 * The language of a locale or language tag: `vi`, `vi-VN`, `vi_VN.UTF-8`, `en_GB@euro` → `vi`, `vi`,
 * `vi`, `en`; `C`, `POSIX` and languages Pacer does not have → undefined.
 */
export function languageOfLocale(tag: string | undefined): Language | undefined {
  const primary = tag
    ?.trim()
    .split(/[-_.@]/)[0]
    ?.toLowerCase();
  return isLanguage(primary) ? primary : undefined;
}

/**
 * The language an `Accept-Language` header prefers among Pacer's (RFC 9110: highest `q` first, in the
 * order written when equal; `q=0` means not wanted), or undefined when it names none of them.
 */
export function negotiateLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';').map((s) => s.trim());
      const q = params.find((p) => /^q=/i.test(p));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { language: languageOfLocale(tag), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((x) => x.language !== undefined && x.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked[0]?.language;
}

/**
 * The language of a command line: `--lang` first, else the POSIX locale variables in their order of
 * precedence (`LC_ALL`, `LC_MESSAGES`, `LANG`), else the default. The first variable set decides, even
 * to a language Pacer lacks (then English): `LC_ALL=C` over `LANG=vi_VN.UTF-8` means C.
 */
export function commandLanguage(
  option: Language | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Language {
  if (option) return option;
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  return languageOfLocale(locale) ?? defaultLanguage;
}
