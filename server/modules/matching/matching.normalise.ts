import anyAscii from 'any-ascii';
import { doubleMetaphone } from 'double-metaphone';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { domainToASCII } from 'node:url';
import { normaliseForIndex } from '../../kernel/crypto/keyring.js';

/**
 * Normalisation of matching selectors (issue 8): the canonical text a selector is reduced to before it is blind
 * indexed, so two organisations that typed the same recruiter's phone, name or passport differently reach the same
 * bytes. Pure functions, no I/O; user data never throws — every function returns a {@link Normalised} result whose
 * error is a stable, localisable code (`matching.selector_errors.<code>` in the locale files).
 *
 * | selector type        | canonical form                                   | steps                                                                                      |
 * | -------------------- | ------------------------------------------------ | ------------------------------------------------------------------------------------------ |
 * | `person_name`        | `an duc nguyen` (tokens sorted)                  | NFKC, case fold, diacritics off (kernel normaliseForIndex), any-ascii transliteration of every script, apostrophes dropped, other punctuation splits tokens, Han/Hangul one token per syllable, tokens sorted; phonetic key = sorted Double Metaphone primary codes |
 * | `phone`              | `+84912345678` (E.164)                            | libphonenumber-js (full metadata) with a default country for national forms; must be a possible number |
 * | `email`              | `ana.b+x@example.org`                             | NFKC, trim, lower-case, domain to IDNA ASCII; dots and +tags KEPT except at the documented providers (see emailProviders) |
 * | `identity_document`  | `VN:C1234567`                                     | issuing country (ISO 3166-1 alpha-2) + number transliterated, upper-cased, alphanumerics only |
 * | `bank_account`       | `IBAN:DE89370400440532013000` or `TH:0123456789`  | spaces and separators off, upper-case; an IBAN must pass ISO 7064 mod-97; other accounts need a country |
 * | `vehicle_plate`      | `RU:X123AB77`                                     | country + plate; Cyrillic letters that plates share with Latin read as Latin; alphanumerics only, upper-case |
 * | `organisation_name`  | `siam labour` (order kept)                        | as person names without sorting, then legal forms removed (see legalFormSuffixes / legalFormPrefixes) |
 * | `online_handle`      | `telegram:somehandle` or `web:example.org`        | platform + handle without `@`, lower-case; a URL of a known platform gives its handle, any other URL its host without `www.` |
 * | `address`            | `KH:12 street 21 phnom penh`                      | country + the text folded like a name, order kept, a few abbreviations spelled out (coarse) |
 *
 * See docs/matching.md for the reasons behind each choice.
 */

export type SelectorType =
  | 'person_name'
  | 'phone'
  | 'email'
  | 'identity_document'
  | 'bank_account'
  | 'vehicle_plate'
  | 'organisation_name'
  | 'online_handle'
  | 'address';

export const selectorTypes: readonly SelectorType[] = [
  'person_name',
  'phone',
  'email',
  'identity_document',
  'bank_account',
  'vehicle_plate',
  'organisation_name',
  'online_handle',
  'address',
];

/** Why a selector could not be normalised; the key of a localised message (`matching.selector_errors.<code>`). */
export type SelectorErrorCode =
  | 'empty'
  | 'too_long'
  | 'country_invalid'
  | 'country_required'
  | 'name_unreadable'
  | 'phone_invalid'
  | 'email_invalid'
  | 'document_invalid'
  | 'iban_invalid'
  | 'iban_checksum'
  | 'account_invalid'
  | 'plate_invalid'
  | 'organisation_only_legal_form'
  | 'handle_invalid'
  | 'platform_invalid'
  | 'address_invalid'
  | 'birth_year_invalid'
  | 'bare_first_name';

export type Normalised<T> = { ok: true; value: T } | { ok: false; code: SelectorErrorCode };

const ok = <T>(value: T): Normalised<T> => ({ ok: true, value });
const fail = <T = never>(code: SelectorErrorCode): Normalised<T> => ({ ok: false, code });

/** Inputs longer than this are refused before any work (bounded cost per lookup). */
export const maxSelectorLength = 512;

function precheck(raw: string): SelectorErrorCode | null {
  if (raw.length > maxSelectorLength) return 'too_long';
  if (raw.trim() === '') return 'empty';
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Countries

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** An ISO 3166-1 alpha-2 code, upper-cased, known to the runtime's ICU data (so `XX` or `EU` are refused). */
export function normaliseCountry(raw: string): Normalised<string> {
  const code = raw.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) return fail('country_invalid');
  // ICU answers the code itself for a region it does not know; user-assigned codes (AA, QM–QZ, XA–XZ, ZZ) and
  // groupings (EU, EZ, UN) are not issuing countries.
  if (regionNames.of(code) === code || /^(AA|Q[M-Z]|X[A-Z]|ZZ|EU|EZ|UN)$/.test(code))
    return fail('country_invalid');
  return ok(code);
}

// ---------------------------------------------------------------------------------------------------------------
// Text folding shared by names, organisations and addresses

const apostrophes = /['`\u2018\u2019\u02BC\u02BB\u02BF\u02BE]/gu;
const syllabicScripts = /[\p{Script=Han}\p{Script=Hangul}]/gu;

/**
 * Any script to lower-case ASCII words: the kernel's index normalisation (NFKC, full case fold, accents off),
 * Han and Hangul split one syllable per word (their names carry no spaces), any-ascii transliteration, apostrophes
 * (ayin, hamza, glottal stop marks) dropped, every other non-alphanumeric a word break.
 */
export function foldToWords(raw: string): string[] {
  const folded = normaliseForIndex(raw).replace(syllabicScripts, ' $& ');
  return anyAscii(folded)
    .toLowerCase()
    .replace(apostrophes, '')
    .split(/[^a-z0-9]+/u)
    .filter((word) => word !== '');
}

// ---------------------------------------------------------------------------------------------------------------
// Person names

export interface NormalisedName {
  /** The transliterated words of the name, in the order given. */
  tokens: string[];
  /** Canonical form: tokens sorted (order-free: "Nguyen Van An" = "An Van Nguyen"), joined by one space. */
  key: string;
  /** Double Metaphone primary code of each token, sorted, joined by one space ("" for a name of digits). */
  phonetic: string;
}

/** A person's name in any script, see the table above. */
export function normalisePersonName(raw: string): Normalised<NormalisedName> {
  const refused = precheck(raw);
  if (refused) return fail(refused);
  const tokens = foldToWords(raw).filter((token) => /[a-z]/.test(token));
  if (tokens.length === 0) return fail('name_unreadable');
  return ok(nameOfTokens(tokens));
}

function nameOfTokens(tokens: string[]): NormalisedName {
  const sorted = [...tokens].sort();
  const phonetic = sorted
    .map((token) => doubleMetaphone(token)[0])
    .filter((code) => code !== '')
    .sort()
    .join(' ');
  return { tokens, key: sorted.join(' '), phonetic };
}

/**
 * A normalised name again from its canonical key (what a person selector keeps, sealed): the same words, sorted.
 * Everything the keyed Bloom filter reads of a name (its words' bigrams, their phonetic codes) is order-free,
 * so key rotation can re-encode a name from its key alone.
 */
export function nameFromKey(key: string): NormalisedName {
  return nameOfTokens(key.split(' ').filter((token) => token !== ''));
}

// ---------------------------------------------------------------------------------------------------------------
// Phones

/**
 * A phone number in E.164. National forms need the country the number was noted in (`defaultCountry`);
 * international forms (`+…`, `00…`) do not. The number must be *possible* (right length for its country) —
 * not necessarily *valid* against today's number plan, so a recruiter's number in a newly opened range still
 * matches.
 */
export function normalisePhone(raw: string, defaultCountry?: string): Normalised<string> {
  const refused = precheck(raw);
  if (refused) return fail(refused);
  let country: CountryCode | undefined;
  if (defaultCountry !== undefined) {
    const checked = normaliseCountry(defaultCountry);
    if (!checked.ok) return checked;
    country = checked.value as CountryCode;
  }
  // Full-width digits and the like become ASCII; "00" is the international prefix in most of the world.
  const text = raw.normalize('NFKC').trim().replace(/^00/, '+');
  if (!text.startsWith('+') && country === undefined) return fail('country_required');
  try {
    const parsed = parsePhoneNumberFromString(text, country ? { defaultCountry: country } : undefined);
    if (!parsed || !parsed.isPossible()) return fail('phone_invalid');
    return ok(parsed.number);
  } catch {
    return fail('phone_invalid');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// E-mail

/**
 * Providers whose documented delivery ignores parts of the local part. Everywhere else the local part is kept
 * as typed (lower-cased): dots and `+tags` can be significant on other servers, and merging two different
 * mailboxes would be a false match.
 */
export const emailProviders: Readonly<
  Record<string, { canonicalDomain: string; dropDots: boolean; dropPlusTag: boolean }>
> = {
  'gmail.com': { canonicalDomain: 'gmail.com', dropDots: true, dropPlusTag: true },
  'googlemail.com': { canonicalDomain: 'gmail.com', dropDots: true, dropPlusTag: true },
  'outlook.com': { canonicalDomain: 'outlook.com', dropDots: false, dropPlusTag: true },
  'hotmail.com': { canonicalDomain: 'hotmail.com', dropDots: false, dropPlusTag: true },
  'live.com': { canonicalDomain: 'live.com', dropDots: false, dropPlusTag: true },
  'icloud.com': { canonicalDomain: 'icloud.com', dropDots: false, dropPlusTag: true },
  'proton.me': { canonicalDomain: 'proton.me', dropDots: false, dropPlusTag: true },
  'protonmail.com': { canonicalDomain: 'protonmail.com', dropDots: false, dropPlusTag: true },
};

function asciiDomain(raw: string): string | null {
  const domain = domainToASCII(raw.replace(/\.$/, ''));
  if (domain === '' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) return null;
  return domain;
}

export function normaliseEmail(raw: string): Normalised<string> {
  const refused = precheck(raw);
  if (refused) return fail(refused);
  const text = raw
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/^mailto:/, '');
  const at = text.lastIndexOf('@');
  if (at <= 0 || /\s/.test(text)) return fail('email_invalid');
  let local = text.slice(0, at);
  const domain = asciiDomain(text.slice(at + 1));
  if (!domain || local.length > 64 || local.includes('@')) return fail('email_invalid');
  const provider = emailProviders[domain];
  if (provider) {
    if (provider.dropPlusTag) local = local.split('+')[0]!;
    if (provider.dropDots) local = local.replace(/\./g, '');
    if (local === '') return fail('email_invalid');
    return ok(`${local}@${provider.canonicalDomain}`);
  }
  return ok(`${local}@${domain}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Identity documents, bank accounts, plates

/** Upper-case ASCII alphanumerics of a code written in any script (full-width, Cyrillic, …). */
function alphanumerics(raw: string): string {
  return anyAscii(raw.normalize('NFKC'))
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/**
 * An identity document (passport, national id, work permit …) is its issuing country and its number: the kind of
 * document is left out, so a number noted as "passport" by one organisation and "travel document" by another
 * still matches.
 */
export function normaliseIdentityDocument(number: string, issuingCountry: string): Normalised<string> {
  const refused = precheck(number);
  if (refused) return fail(refused);
  const country = normaliseCountry(issuingCountry);
  if (!country.ok) return country;
  const digits = alphanumerics(number);
  if (digits.length < 4 || digits.length > 30) return fail('document_invalid');
  return ok(`${country.value}:${digits}`);
}

/** ISO 7064 MOD 97-10 over an IBAN (country and check digits moved to the end, letters as 10–35). */
export function ibanChecksumValid(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of moved) {
    const value = char >= 'A' ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

/**
 * A bank account: an IBAN (recognised by its form: country letters, two check digits, 11–30 more) must pass the
 * mod-97 check and becomes `IBAN:<iban>`; any other account number needs the bank's country and becomes
 * `<country>:<alphanumerics>`. An IBAN and the same account in national form do not match (documented).
 */
export function normaliseBankAccount(raw: string, country?: string): Normalised<string> {
  const refused = precheck(raw);
  if (refused) return fail(refused);
  const compact = alphanumerics(raw);
  if (/^[A-Z]{2}[0-9]{2}/.test(compact)) {
    if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(compact) || !normaliseCountry(compact.slice(0, 2)).ok)
      return fail('iban_invalid');
    if (!ibanChecksumValid(compact)) return fail('iban_checksum');
    return ok(`IBAN:${compact}`);
  }
  if (country === undefined) return fail('country_required');
  const checked = normaliseCountry(country);
  if (!checked.ok) return checked;
  if (!/^[A-Z0-9]{5,34}$/.test(compact) || !/[0-9]/.test(compact)) return fail('account_invalid');
  return ok(`${checked.value}:${compact}`);
}

/** Cyrillic capitals used on plates because they look like Latin ones (GOST R 50577): read as the Latin letter. */
const plateLookalikes: Readonly<Record<string, string>> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
};

export function normaliseVehiclePlate(plate: string, country: string): Normalised<string> {
  const refused = precheck(plate);
  if (refused) return fail(refused);
  const checked = normaliseCountry(country);
  if (!checked.ok) return checked;
  const latin = plate
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\u0400-\u04FF]/g, (char) => plateLookalikes[char] ?? char);
  const compact = alphanumerics(latin);
  if (compact.length < 2 || compact.length > 12) return fail('plate_invalid');
  return ok(`${checked.value}:${compact}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Organisations (recruitment agencies, companies)

/**
 * Legal-form words removed from the END of an organisation's name, after folding to ASCII words (so the Thai
 * จำกัด is `chmakad` — NFKC splits its sara am —, the Chinese 有限公司 is `you xian gong si`). Multi-word forms
 * are matched word by word.
 */
export const legalFormSuffixes: readonly string[] = [
  'ltd',
  'limited',
  'co',
  'company',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'llc',
  'llp',
  'lp',
  'plc',
  'pvt',
  'private',
  'pte',
  'pty',
  'gmbh',
  'ag',
  'kg',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'ab',
  'oy',
  'as',
  'sdn bhd',
  'bhd',
  'berhad',
  'tbk',
  'jsc',
  'ojsc',
  'pjsc',
  'cjsc',
  'fze',
  'fzco',
  'fzc',
  'wll',
  'kk',
  'ltda',
  'de cv',
  'sa de cv',
  'chamkad',
  'chmakad',
  'mhachn',
  'you xian gong si',
  'gong si',
  'group',
  'sc',
  'psc',
  'est',
  'establishment',
  'agency',
  'services',
];

/** Legal-form words removed from the START of the name (Indonesian PT/CV, Vietnamese Công ty TNHH, ООО …). */
export const legalFormPrefixes: readonly string[] = [
  'pt',
  'cv',
  'ud',
  'cong ty tnhh',
  'cong ty co phan',
  'cong ty',
  'cty tnhh',
  'cty',
  'tnhh',
  'ooo',
  'oao',
  'zao',
  'pao',
  'tov',
  'brisath',
  'shrkh',
  'mwssh',
  'the',
  'm s',
  'ms',
];

function splitForms(forms: readonly string[]): string[][] {
  // Longest first, so "sa de cv" is removed whole before "cv" alone.
  return forms.map((form) => form.split(' ')).sort((a, b) => b.length - a.length);
}
const suffixWords = splitForms(legalFormSuffixes);
const prefixWords = splitForms(legalFormPrefixes);

function stripForms(tokens: string[], forms: string[][], atEnd: boolean): string[] {
  let rest = tokens;
  for (let changed = true; changed;) {
    changed = false;
    for (const form of forms) {
      if (form.length >= rest.length) continue; // never strip the whole name
      const part = atEnd ? rest.slice(rest.length - form.length) : rest.slice(0, form.length);
      if (part.every((word, i) => word === form[i])) {
        rest = atEnd ? rest.slice(0, rest.length - form.length) : rest.slice(form.length);
        changed = true;
        break;
      }
    }
  }
  return rest;
}

/**
 * An organisation's name: folded like a person's name, word order kept (two agencies "Jaya Maju" and "Maju Jaya"
 * are different), "&" read as "and", legal forms removed from both ends until none is left — but never the last
 * word, so a name made only of legal forms is refused.
 */
export function normaliseOrganisationName(raw: string): Normalised<string> {
  const refused = precheck(raw);
  if (refused) return fail(refused);
  const words = foldToWords(raw.replace(/&/g, ' and '));
  if (words.length === 0) return fail('name_unreadable');
  const kept = stripForms(stripForms(words, prefixWords, false), suffixWords, true);
  const key = kept.join(' ');
  if (kept.length === 1 && (legalFormSuffixes.includes(key) || legalFormPrefixes.includes(key)))
    return fail('organisation_only_legal_form');
  return ok(key);
}

// ---------------------------------------------------------------------------------------------------------------
// Websites and social handles

/** Platforms a handle may be given for, and the hosts whose URLs carry a handle in their first path segment. */
export const platformHosts: Readonly<Record<string, readonly string[]>> = {
  facebook: ['facebook.com', 'fb.com', 'm.facebook.com'],
  instagram: ['instagram.com'],
  tiktok: ['tiktok.com'],
  x: ['x.com', 'twitter.com'],
  telegram: ['t.me', 'telegram.me'],
  vk: ['vk.com'],
  youtube: ['youtube.com'],
  linkedin: ['linkedin.com'],
  snapchat: ['snapchat.com'],
  line: ['line.me'],
  wechat: [],
  viber: [],
  whatsapp: ['wa.me'],
};
const platformAliases: Readonly<Record<string, string>> = { twitter: 'x', fb: 'facebook', tg: 'telegram' };
/** Path segments that come before the handle in some platforms' URLs (linkedin.com/in/…, line.me/ti/p/…). */
const handlePathPrefixes = new Set([
  'in',
  'company',
  'ti',
  'p',
  'add',
  'channel',
  'c',
  'user',
  'people',
  's',
]);

function platformOf(host: string): string | null {
  for (const [platform, hosts] of Object.entries(platformHosts)) if (hosts.includes(host)) return platform;
  return null;
}

/**
 * A website or a social-media account: `platform:handle` (handle lower-case, without `@`) or `web:host` (host
 * lower-case, IDNA ASCII, without `www.`/`m.`; path dropped — the site, not the page, is the selector). A bare
 * handle needs its platform; a URL of a known platform yields its handle.
 */
export function normaliseOnlineHandle(raw: string, platform?: string): Normalised<string> {
  const refused = precheck(raw);
  if (refused) return fail(refused);
  const text = raw.normalize('NFKC').trim();
  const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^[^@\s/]+\.[a-z]{2,}(\/|$)/i.test(text);
  if (looksLikeUrl) {
    let url: URL;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    } catch {
      return fail('handle_invalid');
    }
    if (!['http:', 'https:'].includes(url.protocol)) return fail('handle_invalid');
    const host = url.hostname.replace(/^(www|m|mobile)\./, '');
    if (!asciiDomain(host)) return fail('handle_invalid');
    const known = platformOf(host);
    if (known) {
      const segments = url.pathname
        .split('/')
        .filter((s) => s !== '' && !handlePathPrefixes.has(s.toLowerCase()));
      const handle = segments[0] ? cleanHandle(decodeURIComponent(segments[0])) : null;
      if (handle) return ok(`${known}:${handle}`);
    }
    return ok(`web:${host}`);
  }
  if (platform === undefined) return fail('platform_invalid');
  const name = platform.trim().toLowerCase();
  const known = platformAliases[name] ?? name;
  if (!(known in platformHosts)) return fail('platform_invalid');
  const handle = cleanHandle(text);
  return handle ? ok(`${known}:${handle}`) : fail('handle_invalid');
}

function cleanHandle(raw: string): string | null {
  const handle = raw.normalize('NFKC').trim().replace(/^@+/, '').toLowerCase();
  return /^[\p{L}\p{N}._-]{1,100}$/u.test(handle) ? handle : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

/** Abbreviations spelled out in addresses (coarse: English and a few transliterated forms). */
const addressAbbreviations: Readonly<Record<string, string>> = {
  st: 'street',
  str: 'street',
  rd: 'road',
  ave: 'avenue',
  av: 'avenue',
  blvd: 'boulevard',
  ln: 'lane',
  dr: 'drive',
  no: 'number',
  apt: 'apartment',
  bldg: 'building',
  fl: 'floor',
  ul: 'ulitsa',
  pr: 'prospekt',
  d: 'dom',
  kv: 'kvartira',
  soi: 'soi',
  duong: 'duong',
  p: 'phuong',
  q: 'quan',
};

/**
 * An address, coarsely: country + the words of the address folded like a name, in the order given, with a few
 * abbreviations spelled out. Addresses are written in too many ways for exact matching to be more than a hint;
 * the matching module treats them as a weak selector.
 */
export function normaliseAddress(raw: string, country: string): Normalised<string> {
  const refused = precheck(raw);
  if (refused) return fail(refused);
  const checked = normaliseCountry(country);
  if (!checked.ok) return checked;
  const words = foldToWords(raw).map((word) => addressAbbreviations[word] ?? word);
  if (words.length < 2) return fail('address_invalid');
  return ok(`${checked.value}:${words.join(' ')}`);
}
