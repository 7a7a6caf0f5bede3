import { isCountryCode } from '../identity/index.js';
import type { NationalityBand } from './journeys.vocabulary.js';

/**
 * Countries as spreadsheets write them: ISO 3166-1 alpha-2 (HTCDS, older CTDC files), alpha-3 (CTDC's synthetic
 * data), and names in Cairn's four languages. Each code is tied to its UN M49 continent, which is the
 * nationality band of the map. Shipped as data (ISO and UN facts), like identity's list of codes; Kosovo is
 * XK / XKX as IOM writes it. Antarctica has no M49 continent.
 */
// prettier-ignore
const table =
  'AD AND eu,AE ARE as,AF AFG as,AG ATG am,AI AIA am,AL ALB eu,AM ARM as,AO AGO af,AQ ATA -,AR ARG am,AS ASM oc,' +
  'AT AUT eu,AU AUS oc,AW ABW am,AX ALA eu,AZ AZE as,BA BIH eu,BB BRB am,BD BGD as,BE BEL eu,BF BFA af,BG BGR eu,' +
  'BH BHR as,BI BDI af,BJ BEN af,BL BLM am,BM BMU am,BN BRN as,BO BOL am,BQ BES am,BR BRA am,BS BHS am,BT BTN as,' +
  'BV BVT am,BW BWA af,BY BLR eu,BZ BLZ am,CA CAN am,CC CCK oc,CD COD af,CF CAF af,CG COG af,CH CHE eu,CI CIV af,' +
  'CK COK oc,CL CHL am,CM CMR af,CN CHN as,CO COL am,CR CRI am,CU CUB am,CV CPV af,CW CUW am,CX CXR oc,CY CYP as,' +
  'CZ CZE eu,DE DEU eu,DJ DJI af,DK DNK eu,DM DMA am,DO DOM am,DZ DZA af,EC ECU am,EE EST eu,EG EGY af,EH ESH af,' +
  'ER ERI af,ES ESP eu,ET ETH af,FI FIN eu,FJ FJI oc,FK FLK am,FM FSM oc,FO FRO eu,FR FRA eu,GA GAB af,GB GBR eu,' +
  'GD GRD am,GE GEO as,GF GUF am,GG GGY eu,GH GHA af,GI GIB eu,GL GRL am,GM GMB af,GN GIN af,GP GLP am,GQ GNQ af,' +
  'GR GRC eu,GS SGS am,GT GTM am,GU GUM oc,GW GNB af,GY GUY am,HK HKG as,HM HMD oc,HN HND am,HR HRV eu,HT HTI am,' +
  'HU HUN eu,ID IDN as,IE IRL eu,IL ISR as,IM IMN eu,IN IND as,IO IOT af,IQ IRQ as,IR IRN as,IS ISL eu,IT ITA eu,' +
  'JE JEY eu,JM JAM am,JO JOR as,JP JPN as,KE KEN af,KG KGZ as,KH KHM as,KI KIR oc,KM COM af,KN KNA am,KP PRK as,' +
  'KR KOR as,KW KWT as,KY CYM am,KZ KAZ as,LA LAO as,LB LBN as,LC LCA am,LI LIE eu,LK LKA as,LR LBR af,LS LSO af,' +
  'LT LTU eu,LU LUX eu,LV LVA eu,LY LBY af,MA MAR af,MC MCO eu,MD MDA eu,ME MNE eu,MF MAF am,MG MDG af,MH MHL oc,' +
  'MK MKD eu,ML MLI af,MM MMR as,MN MNG as,MO MAC as,MP MNP oc,MQ MTQ am,MR MRT af,MS MSR am,MT MLT eu,MU MUS af,' +
  'MV MDV as,MW MWI af,MX MEX am,MY MYS as,MZ MOZ af,NA NAM af,NC NCL oc,NE NER af,NF NFK oc,NG NGA af,NI NIC am,' +
  'NL NLD eu,NO NOR eu,NP NPL as,NR NRU oc,NU NIU oc,NZ NZL oc,OM OMN as,PA PAN am,PE PER am,PF PYF oc,PG PNG oc,' +
  'PH PHL as,PK PAK as,PL POL eu,PM SPM am,PN PCN oc,PR PRI am,PS PSE as,PT PRT eu,PW PLW oc,PY PRY am,QA QAT as,' +
  'RE REU af,RO ROU eu,RS SRB eu,RU RUS eu,RW RWA af,SA SAU as,SB SLB oc,SC SYC af,SD SDN af,SE SWE eu,SG SGP as,' +
  'SH SHN af,SI SVN eu,SJ SJM eu,SK SVK eu,SL SLE af,SM SMR eu,SN SEN af,SO SOM af,SR SUR am,SS SSD af,ST STP af,' +
  'SV SLV am,SX SXM am,SY SYR as,SZ SWZ af,TC TCA am,TD TCD af,TF ATF af,TG TGO af,TH THA as,TJ TJK as,TK TKL oc,' +
  'TL TLS as,TM TKM as,TN TUN af,TO TON oc,TR TUR as,TT TTO am,TV TUV oc,TW TWN as,TZ TZA af,UA UKR eu,UG UGA af,' +
  'UM UMI oc,US USA am,UY URY am,UZ UZB as,VA VAT eu,VC VCT am,VE VEN am,VG VGB am,VI VIR am,VN VNM as,VU VUT oc,' +
  'WF WLF oc,WS WSM oc,YE YEM as,YT MYT af,ZA ZAF af,ZM ZMB af,ZW ZWE af,XK XKX eu';

const continents = { af: 'africa', am: 'americas', as: 'asia', eu: 'europe', oc: 'oceania' } as const;

const byAlpha3 = new Map<string, string>();
const continentOf = new Map<string, NationalityBand>();
for (const entry of table.split(',')) {
  const [alpha2, alpha3, continent] = entry.split(' ') as [string, string, string];
  byAlpha3.set(alpha3, alpha2);
  continentOf.set(
    alpha2,
    continent in continents ? continents[continent as keyof typeof continents] : 'unknown',
  );
}

/** Folded for comparison: lower case, no accents, letters only ("Côte d’Ivoire" = "cote divoire"). */
export const foldName = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    // Not toLocaleLowerCase: it builds a locale on every call, and this runs on every cell of a large file.
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');

let names: Map<string, string> | null = null;

/** Country names in English, French, Spanish and Arabic (the ICU data of the running Node.js), folded. */
function countryNames(): Map<string, string> {
  if (names) return names;
  names = new Map();
  for (const language of ['en', 'fr', 'es', 'ar']) {
    const display = new Intl.DisplayNames([language], { type: 'region' });
    for (const alpha2 of continentOf.keys()) {
      const name = display.of(alpha2);
      if (name && name !== alpha2) names.set(foldName(name), alpha2);
    }
  }
  // Names the field writes that ICU spells otherwise.
  for (const [name, alpha2] of [
    ['vietnam', 'VN'],
    ['laos', 'LA'],
    ['burma', 'MM'],
    ['myanmar', 'MM'],
    ['turkey', 'TR'],
    ['czechrepublic', 'CZ'],
    ['swaziland', 'SZ'],
    ['macedonia', 'MK'],
    ['palestine', 'PS'],
    ['capeverde', 'CV'],
    ['easttimor', 'TL'],
    ['usa', 'US'],
    ['uk', 'GB'],
    ['unitedstatesofamerica', 'US'],
    ['russia', 'RU'],
    ['southkorea', 'KR'],
    ['northkorea', 'KP'],
    ['ivorycoast', 'CI'],
    ['drc', 'CD'],
    ['kosovo', 'XK'],
  ] as const)
    names.set(name, alpha2);
  return names;
}

/** Markers of an unknown value: CTDC's `-99` and the older files' `00`. */
export const unknownMarkers: ReadonlySet<string> = new Set(['-99', '00']);

/** The ISO alpha-2 code of a country written as alpha-2, alpha-3 or a name; null when it is none of these. */
export function countryOf(text: string): string | null {
  const value = text.trim();
  if (/^[A-Za-z]{2}$/.test(value)) {
    const upper = value.toUpperCase();
    return isCountryCode(upper) ? upper : null;
  }
  if (/^[A-Za-z]{3}$/.test(value)) {
    const alpha2 = byAlpha3.get(value.toUpperCase());
    if (alpha2) return alpha2;
  }
  return countryNames().get(foldName(value)) ?? null;
}

/** The nationality band (M49 continent) of a country. */
export function continentOfCountry(alpha2: string): NationalityBand {
  return continentOf.get(alpha2) ?? 'unknown';
}
