/**
 * The countries an organisation can name: ISO 3166-1 alpha-2 codes plus XK (Kosovo), the same list the
 * server accepts. Names are never shipped: the browser's own `Intl.DisplayNames` gives them in the reader's
 * language, which costs no download and covers every language Cairn will ever add.
 */
// prettier-ignore
export const COUNTRY_CODES = [
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ', 'BA', 'BB', 'BD', 'BE',
  'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ', 'CA', 'CC', 'CD',
  'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM',
  'DO', 'DZ', 'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK', 'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF',
  'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM', 'HN', 'HR', 'HT', 'HU',
  'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM', 'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN',
  'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY', 'MA', 'MC', 'MD', 'ME',
  'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ', 'NA',
  'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM', 'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM',
  'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW', 'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI',
  'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ', 'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK',
  'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI',
  'VN', 'VU', 'WF', 'WS', 'XK', 'YE', 'YT', 'ZA', 'ZM', 'ZW',
] as const;

/** A country as the picker shows it: its code, its name in the reader's language, and a search key. */
export interface Country {
  code: string;
  name: string;
  /** The name (and the English name, for people typing in Latin letters) folded for matching. */
  searchKey: string;
}

const displayNamesCache = new Map<string, Intl.DisplayNames | null>();

function displayNames(language: string): Intl.DisplayNames | null {
  let names = displayNamesCache.get(language);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([language], { type: 'region', fallback: 'code' });
    } catch {
      // Very old browsers lack Intl.DisplayNames; the code is still a correct, if terse, label.
      names = null;
    }
    displayNamesCache.set(language, names);
  }
  return names;
}

/** The name of a country in a language, or its code when the browser does not know it. */
export function countryName(code: string, language: string): string {
  return displayNames(language)?.of(code) ?? code;
}

/**
 * Folds text so that what people type matches what they mean: case, accents and punctuation are ignored
 * ("cote d iv" finds "Côte d’Ivoire"), and Arabic letters that are commonly typed interchangeably (hamza
 * forms of alef, taa marbuta, alef maqsura) are treated as one, without short vowels or tatweel.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/[\u0622\u0623\u0625\u0671]/g, '\u0627')
    .replace(/\u0629/g, '\u0647')
    .replace(/\u0649/g, '\u064A')
    .replace(/\u0640/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every country, named and sorted in the reader's language. */
export function countriesFor(language: string): Country[] {
  const collator = new Intl.Collator([language]);
  return COUNTRY_CODES.map((code) => {
    const name = countryName(code, language);
    const english = language === 'en' ? '' : countryName(code, 'en');
    return { code, name, searchKey: foldForSearch(`${name} ${english}`) };
  }).sort((a, b) => collator.compare(a.name, b.name));
}

/**
 * The countries matching a query: any word of the name may start with it ("congo" finds both Congos,
 * "ivo" finds Côte d’Ivoire, "leste" finds Timor-Leste), and a two-letter query also matches the ISO code
 * ("KE" finds Kenya).
 */
export function searchCountries(countries: readonly Country[], query: string): Country[] {
  const folded = foldForSearch(query);
  if (folded === '') return [...countries];
  const code = folded.length === 2 ? folded.toUpperCase() : null;
  // The key starts with a space so that "starts a word" is one substring test.
  return countries.filter(
    (country) => country.code === code || ` ${country.searchKey}`.includes(` ${folded}`),
  );
}

/** Country codes sorted by their names in a language, for showing a list of them. */
export function sortCodesByName(codes: readonly string[], language: string): string[] {
  const collator = new Intl.Collator([language]);
  return [...codes].sort((a, b) => collator.compare(countryName(a, language), countryName(b, language)));
}

/** A list of countries in the reader's language and grammar ("Kenya, Uganda and Tanzania"). */
export function formatCountryList(codes: readonly string[], language: string): string {
  const names = sortCodesByName(codes, language).map((code) => countryName(code, language));
  try {
    return new Intl.ListFormat([language], { style: 'long', type: 'conjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}
