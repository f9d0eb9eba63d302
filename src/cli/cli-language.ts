import { languages, type Language } from '../conventions.js';
import { commandLanguage } from '../domain/language/language.js';
import { InputError } from '../errors/pacer-error.js';

/**
 * The language of a command's text: `--lang` (en or vi), else the locale of the environment, else
 * English. A `--lang` Pacer does not have is the user's mistake, named as such.
 */
export function parseLanguage(option: string | undefined, env: Readonly<Record<string, string | undefined>>): Language {
  if (option !== undefined && !(languages as readonly string[]).includes(option)) {
    const message = `expected one of ${languages.join(', ')}, got "${option}"`;
    throw new InputError(`--lang: ${message}`, [{ code: 'invalid_option', field: '--lang', message }]);
  }
  return commandLanguage(option as Language | undefined, env);
}
