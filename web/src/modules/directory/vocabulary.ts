import type { components } from '../../api/schema';

type Schemas = components['schemas'];
type Profile = Schemas['Profile'];
type ItemOf<List> = List extends readonly (infer Item)[] ? Item : never;

/** A service an organisation offers (from the API's enum). */
export type Service = ItemOf<NonNullable<Profile['services']>>;
/** A population an organisation serves. */
export type Population = ItemOf<NonNullable<Profile['populations']>>;
/** An exploitation type (HTCDS v2, plus forced criminality). */
export type ExploitationType = ItemOf<NonNullable<Profile['exploitationTypes']>>;
/** An ISIC Rev. 4 section, as HTCDS codes it. */
export type Industry = ItemOf<NonNullable<Profile['industries']>>;
/** What an organisation works on (the "4 Ps" and beyond). */
export type FocusArea = ItemOf<NonNullable<Profile['focus']>>;
/** How a hotline is reached. */
export type HotlineChannel = Schemas['ProfileHotline']['channel'];
/** Who may see a field of a profile. */
export type Visibility = NonNullable<
  Schemas['ProfileVisibilityInput'][keyof Schemas['ProfileVisibilityInput']]
>;
/** A profile field that carries its own visibility. */
export type ProfileField = keyof Schemas['ProfileVisibilityInput'];

/**
 * Builds a list of every value of a union, in the order people should see them. The server owns the values;
 * through the generated API types the compiler rejects a list that invents a value or misses one, so a new
 * server value cannot silently go untranslated.
 */
function allOf<Union extends string>() {
  return <const List extends readonly Union[]>(
    list: List &
      ([Exclude<Union, List[number]>] extends [never] ? unknown : { missing: Exclude<Union, List[number]> }),
  ): List => list;
}

// The lists keep the server's order (server/modules/directory/directory.vocabulary.ts): it is the order
// the facets and the editor show, chosen there once. vocabulary.test.ts checks both against docs/openapi.json.

/** Services, most asked-for first. */
export const SERVICES = allOf<Service>()([
  'shelter',
  'emergency_accommodation',
  'legal_aid',
  'immigration_advice',
  'medical',
  'mental_health',
  'psychosocial',
  'case_management',
  'repatriation',
  'reintegration',
  'hotline',
  'interpretation',
  'vocational_training',
  'education',
  'family_tracing',
  'financial_support',
  'livelihoods',
  'victim_identification',
  'outreach',
  'training_for_professionals',
]);

/** Populations served; children by age band. */
export const POPULATIONS = allOf<Population>()([
  'women',
  'men',
  'girls',
  'boys',
  'children_0_5',
  'children_6_11',
  'children_12_17',
  'young_adults_18_24',
  'lgbtqi',
  'migrant_workers',
  'fishers',
  'domestic_workers',
  'refugees_asylum_seekers',
  'stateless_people',
  'people_with_disabilities',
  'indigenous_peoples',
  'sex_workers',
]);

/** Exploitation types (HTCDS v2 `vic_TypeOfExploitation`, plus forced criminality). */
export const EXPLOITATION_TYPES = allOf<ExploitationType>()([
  'ForcedLabour',
  'SexualExploitation',
  'ChildLabour',
  'ForcedMarriage',
  'Servitude',
  'ForcedMilitaryByNonStateActors',
  'OrganRemoval',
  'ForcedBegging',
  'ForcedAdoption',
  'Surrogacy',
  'ForcedCriminality',
  'Other',
]);

/** ISIC Rev. 4 sections. */
export const INDUSTRIES = allOf<Industry>()([
  'A_AgricultureForestryAndFishing',
  'B_MiningAndQuarrying',
  'C_Manufacturing',
  'D_ElectricityGasSteamAndAirConditioningSupply',
  'E_WaterSupplySewerageWasteManagement',
  'F_Construction',
  'G_WholesaleAndRetailTradeRepairOfMotorVehicles',
  'H_TransportationAndStorage',
  'I_AccommodationAndFoodServiceActivities',
  'J_InformationAndCommunication',
  'K_FinancialAndInsuranceActivities',
  'L_RealEstateActivities',
  'M_ProfessionalScientificAndTechnicalActivities',
  'N_AdministrativeAndSupportServiceActivities',
  'O_PublicAdministrationAndDefence',
  'P_Education',
  'Q_HumanHealthAndSocialWorkActivities',
  'R_ArtsEntertainmentAndRecreation',
  'S_OtherServiceActivities',
  'T_ActivitiesOfHouseholdsAsEmployers',
  'U_ActivitiesOfExtraterritorialOrganizations',
]);

/** Focus areas. */
export const FOCUS_AREAS = allOf<FocusArea>()([
  'prevention',
  'protection',
  'prosecution',
  'partnership',
  'research',
  'advocacy',
]);

/** Hotline channels. */
export const HOTLINE_CHANNELS = allOf<HotlineChannel>()([
  'phone',
  'sms',
  'whatsapp',
  'signal',
  'telegram',
  'chat',
  'email',
]);

/** Visibility levels, from the widest audience to the narrowest. */
export const VISIBILITY_LEVELS = allOf<Visibility>()(['public', 'members', 'partners']);

/** The profile fields that carry a visibility, in the order the editor shows them. */
export const PROFILE_FIELDS = allOf<ProfileField>()([
  'otherNames',
  'descriptions',
  'focus',
  'services',
  'populations',
  'exploitationTypes',
  'industries',
  'countries',
  'regions',
  'offices',
  'languages',
  'hotlines',
  'networks',
  'website',
  'contacts',
]);

/** A gender a support request may name. */
export type Gender = Schemas['SupportNeed']['gender'];
/** An age band of a support request. */
export type AgeBand = Schemas['SupportNeed']['ageBand'];
/** How soon help is needed. */
export type Urgency = Schemas['SupportNeed']['urgency'];
/** Why a recipient declined a support request. */
export type DeclineReason = NonNullable<Schemas['SupportRecipient']['declineReason']>;

/** Genders a support request may name. */
export const GENDERS = allOf<Gender>()(['female', 'male', 'non_binary', 'unspecified']);
/** Age bands of a support request, youngest first. */
export const AGE_BANDS = allOf<AgeBand>()(['0_5', '6_11', '12_17', '18_24', '25_59', '60_plus', 'unknown']);
/** How soon help is needed, most urgent first. */
export const URGENCIES = allOf<Urgency>()(['emergency', 'within_days', 'within_weeks']);
/** Why a recipient declines a support request. */
export const DECLINE_REASONS = allOf<DeclineReason>()([
  'no_capacity',
  'service_not_offered',
  'population_not_served',
  'language_not_available',
  'outside_area',
  'other',
]);

/**
 * Every vocabulary by the name its translations live under: `directory.vocabulary.<name>.<code>`.
 */
export const VOCABULARIES = {
  services: SERVICES,
  populations: POPULATIONS,
  exploitationTypes: EXPLOITATION_TYPES,
  industries: INDUSTRIES,
  focus: FOCUS_AREAS,
  hotlineChannels: HOTLINE_CHANNELS,
  visibility: VISIBILITY_LEVELS,
  genders: GENDERS,
  ageBands: AGE_BANDS,
  urgencies: URGENCIES,
  declineReasons: DECLINE_REASONS,
} as const;

/** The name of a vocabulary. */
export type VocabularyName = keyof typeof VOCABULARIES;

/** The translation key of one code of a vocabulary, e.g. `directory.vocabulary.services.shelter`. */
export function vocabularyKey(vocabulary: VocabularyName, code: string): string {
  return `directory.vocabulary.${vocabulary}.${code}`;
}

/** Whether a string is one of a list's values (for reading URL parameters safely). */
export function isOneOf<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return value !== null && value !== undefined && (list as readonly string[]).includes(value);
}

/**
 * The ISO 639-1 languages a profile can name (the server's list, from the iso-639-1 package). Only codes are
 * shipped: `Intl.DisplayNames` names them in the reader's language, which costs no download.
 */
// prettier-ignore
export const LANGUAGE_CODES = [
  'aa', 'ab', 'ae', 'af', 'ak', 'am', 'an', 'ar', 'as', 'av', 'ay', 'az', 'ba', 'be', 'bg', 'bi', 'bm', 'bn', 'bo', 'br',
  'bs', 'ca', 'ce', 'ch', 'co', 'cr', 'cs', 'cu', 'cv', 'cy', 'da', 'de', 'dv', 'dz', 'ee', 'el', 'en', 'eo', 'es', 'et',
  'eu', 'fa', 'ff', 'fi', 'fj', 'fo', 'fr', 'fy', 'ga', 'gd', 'gl', 'gn', 'gu', 'gv', 'ha', 'he', 'hi', 'ho', 'hr', 'ht',
  'hu', 'hy', 'hz', 'ia', 'id', 'ie', 'ig', 'ii', 'ik', 'io', 'is', 'it', 'iu', 'ja', 'jv', 'ka', 'kg', 'ki', 'kj', 'kk',
  'kl', 'km', 'kn', 'ko', 'kr', 'ks', 'ku', 'kv', 'kw', 'ky', 'la', 'lb', 'lg', 'li', 'ln', 'lo', 'lt', 'lu', 'lv', 'mg',
  'mh', 'mi', 'mk', 'ml', 'mn', 'mr', 'ms', 'mt', 'my', 'na', 'nb', 'nd', 'ne', 'ng', 'nl', 'nn', 'no', 'nr', 'nv', 'ny',
  'oc', 'oj', 'om', 'or', 'os', 'pa', 'pi', 'pl', 'ps', 'pt', 'qu', 'rm', 'rn', 'ro', 'ru', 'rw', 'sa', 'sc', 'sd', 'se',
  'sg', 'si', 'sk', 'sl', 'sm', 'sn', 'so', 'sq', 'sr', 'ss', 'st', 'su', 'sv', 'sw', 'ta', 'te', 'tg', 'th', 'ti', 'tk',
  'tl', 'tn', 'to', 'tr', 'ts', 'tt', 'tw', 'ty', 'ug', 'uk', 'ur', 'uz', 've', 'vi', 'vo', 'wa', 'wo', 'xh', 'yi', 'yo',
  'za', 'zh', 'zu',
] as const;
