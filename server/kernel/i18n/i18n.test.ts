import { readdirSync } from 'node:fs';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../paths.js';
import { errorCodes } from '../http/errors.js';
import { loadLocale, negotiateLanguage, supportedLanguages, translator } from './i18n.js';

/** Flattens a nested message object into dotted keys. */
function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'string') out.set(name, child);
    else for (const [k, v] of flatten(child, name)) out.set(k, v);
  }
  return out;
}

const locales = Object.fromEntries(supportedLanguages.map((lang) => [lang, flatten(loadLocale(lang))]));

describe('server messages', () => {
  it.each(supportedLanguages)('%s has exactly the keys of every other language, none empty', (lang) => {
    const keys = [...locales[lang]!.keys()].sort();
    for (const other of supportedLanguages)
      expect(keys, `${lang} vs ${other}`).toEqual([...locales[other]!.keys()].sort());
    for (const [key, message] of locales[lang]!) expect(message.trim(), key).not.toBe('');
  });

  it.each(supportedLanguages)('%s messages are valid ICU', (lang) => {
    for (const [key, message] of locales[lang]!) {
      expect(() => new IntlMessageFormat(message, lang), `${lang}:${key}`).not.toThrow();
    }
  });

  it('covers every error code with a title and a detail', () => {
    for (const lang of supportedLanguages) {
      for (const code of errorCodes) {
        expect(locales[lang]!.has(`errors.${code}.title`), `${lang} ${code}`).toBe(true);
        expect(locales[lang]!.has(`errors.${code}.detail`), `${lang} ${code}`).toBe(true);
      }
    }
  });

  it('formats ICU plurals per language', () => {
    expect(translator('en')('errors.rate_limited.detail', { seconds: 1 })).toBe(
      'Too many requests. Try again in 1 second.',
    );
    expect(translator('ar')('errors.rate_limited.detail', { seconds: 2 })).toBe(
      'طلبات كثيرة جدًا. أعد المحاولة بعد ثانيتين.',
    );
  });

  it('negotiates the request language, falling back to English', () => {
    expect(negotiateLanguage(undefined)).toBe('en');
    expect(negotiateLanguage('es-MX,es;q=0.9,en;q=0.5')).toBe('es');
    expect(negotiateLanguage('ar-EG')).toBe('ar');
    expect(negotiateLanguage('km-KH,fr;q=0.4')).toBe('fr');
    expect(negotiateLanguage('km-KH')).toBe('en');
    expect(negotiateLanguage(';;garbage')).toBe('en');
  });

  it('ships the same languages as the web app', () => {
    const web = readdirSync(path.join(projectRoot, 'web', 'src', 'i18n', 'locales'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.replace(/\.json$/, ''))
      .sort();
    expect(web).toEqual([...supportedLanguages].sort());
  });
});
