import type { HotlineChannel } from '../vocabulary';

/** A profile description, as the API returns it. */
export interface Description {
  language: string;
  short: string;
  long: string;
}

/**
 * The descriptions in the order a reader should meet them: the one in their language first (or, failing
 * that, in English, the field's common second language), then the others as the organisation ordered them.
 */
export function orderDescriptions<D extends Description>(descriptions: readonly D[], language: string): D[] {
  const rank = (d: D) => (d.language === language ? 0 : d.language === 'en' ? 1 : 2);
  // Array.prototype.sort is stable, so equal ranks keep the organisation's order.
  return [...descriptions].sort((a, b) => rank(a) - rank(b));
}

const languageNamesCache = new Map<string, Intl.DisplayNames | null>();

/** A language's name (ISO 639-1 code) in the reader's language, or the code when the browser lacks it. */
export function languageName(code: string, readerLanguage: string): string {
  let names = languageNamesCache.get(readerLanguage);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([readerLanguage], { type: 'language', fallback: 'code' });
    } catch {
      names = null;
    }
    languageNamesCache.set(readerLanguage, names);
  }
  try {
    return names?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Digits of a phone number written with spaces, dashes, dots or brackets, keeping a leading +; else null. */
export function phoneDigits(number: string): string | null {
  const trimmed = number.trim();
  if (!/^\+?[\d\s().-]{3,}$/.test(trimmed)) return null;
  const digits = trimmed.replace(/[^\d]/g, '');
  if (digits.length < 3 || digits.length > 15) return null;
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

/**
 * SECURITY: a link is only made for an http(s) address; anything else (javascript:, data:, …) stays text,
 * so nothing an organisation types can run in a reader's browser.
 */
export function safeWebAddress(value: string): string | null {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

// No `?`, `&`, `#` or `/`: a mailto link must not carry extra headers (cc, body) the organisation did not see.
const EMAIL = /^[^\s@<>()[\]\\,;:"?&#/%]+@[^\s@<>()[\]\\,;:"?&#/%]+\.[^\s@<>()[\]\\,;:"?&#/%]+$/;

/**
 * Where a hotline's number should take the reader: a call, a text, a chat app or an email, built only from
 * values that look like what the channel expects. Anything else returns null and is shown as plain text.
 */
export function hotlineHref(channel: HotlineChannel, number: string): string | null {
  const value = number.trim();
  const phone = phoneDigits(value);
  switch (channel) {
    case 'phone':
      return phone ? `tel:${phone}` : null;
    case 'sms':
      return phone ? `sms:${phone}` : null;
    case 'whatsapp':
      // wa.me wants the international number without the plus; a local number cannot be reached this way.
      return phone?.startsWith('+') ? `https://wa.me/${phone.slice(1)}` : null;
    case 'signal':
      return phone?.startsWith('+') ? `https://signal.me/#p/${phone}` : null;
    case 'telegram': {
      const handle = /^@?([A-Za-z][A-Za-z0-9_]{4,31})$/.exec(value)?.[1];
      if (handle) return `https://t.me/${handle}`;
      return safeWebAddress(value)?.startsWith('https://t.me/') ? safeWebAddress(value) : null;
    }
    case 'chat':
      return safeWebAddress(value);
    case 'email':
      return EMAIL.test(value) ? `mailto:${value}` : null;
  }
}

/** Whether a hotline link leaves Cairn for another site (opened in a new tab, without the referrer). */
export function isExternalHref(href: string): boolean {
  return href.startsWith('https://') || href.startsWith('http://');
}
