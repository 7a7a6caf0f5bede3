import ISO6391 from 'iso-639-1';

/**
 * The fixed, translatable vocabularies of the directory. Codes are stored; the web translates them
 * (`directory.vocabulary.<list>.<code>`). Adding a code is a change to this file and to every locale.
 */

/** The "4 Ps" and beyond: what an organisation works on. */
export const focusAreas = [
  'prevention',
  'protection',
  'prosecution',
  'partnership',
  'research',
  'advocacy',
] as const;
export type FocusArea = (typeof focusAreas)[number];

/** Services an organisation offers to survivors and to other organisations. */
export const services = [
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
] as const;
export type Service = (typeof services)[number];

/** People an organisation serves. Children are split by age band, as shelters and services are. */
export const populations = [
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
] as const;
export type Population = (typeof populations)[number];

/** HTCDS v2 `vic_TypeOfExploitation`, plus forced criminality (scam compounds), which HTCDS files under Other. */
export const exploitationTypes = [
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
] as const;
export type ExploitationType = (typeof exploitationTypes)[number];

/** ISIC Rev. 4 sections, as HTCDS v2 codes them (`forcedlabourindustry`). */
export const industries = [
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
] as const;
export type Industry = (typeof industries)[number];

/** How a hotline is reached. */
export const hotlineChannels = ['phone', 'sms', 'whatsapp', 'signal', 'telegram', 'chat', 'email'] as const;
export type HotlineChannel = (typeof hotlineChannels)[number];

/**
 * Who may see a field of a profile: anyone (the public directory), signed-in members of any active
 * organisation, or only the organisations this one lists as partners (and its own people).
 */
export const visibilityLevels = ['public', 'members', 'partners'] as const;
export type Visibility = (typeof visibilityLevels)[number];

/** The profile fields that carry their own visibility, with the level a new profile starts at. */
export const profileFieldVisibilityDefaults = {
  otherNames: 'public',
  descriptions: 'public',
  focus: 'public',
  services: 'public',
  populations: 'public',
  exploitationTypes: 'public',
  industries: 'public',
  countries: 'public',
  regions: 'public',
  offices: 'members',
  languages: 'public',
  hotlines: 'public',
  networks: 'members',
  website: 'public',
  contacts: 'members',
} as const satisfies Record<string, Visibility>;
export type ProfileField = keyof typeof profileFieldVisibilityDefaults;
export const profileFields = Object.keys(profileFieldVisibilityDefaults) as ProfileField[];

/** Genders a support request may name (no more is needed to find a fitting service). */
export const genders = ['female', 'male', 'non_binary', 'unspecified'] as const;
export type Gender = (typeof genders)[number];

/** Age bands of a support request; they line up with the population bands above. */
export const ageBands = ['0_5', '6_11', '12_17', '18_24', '25_59', '60_plus', 'unknown'] as const;
export type AgeBand = (typeof ageBands)[number];

/** How soon help is needed. */
export const urgencies = ['emergency', 'within_days', 'within_weeks'] as const;
export type Urgency = (typeof urgencies)[number];

/** Why a recipient declines a support request: coded, so unmet needs can be counted. */
export const declineReasons = [
  'no_capacity',
  'service_not_offered',
  'population_not_served',
  'language_not_available',
  'outside_area',
  'other',
] as const;
export type DeclineReason = (typeof declineReasons)[number];

/** The ISO 639-1 languages a profile can name (183 codes). */
export const languageCodes: readonly string[] = ISO6391.getAllCodes();
const knownLanguages: ReadonlySet<string> = new Set(languageCodes);

/** True for an ISO 639-1 code. */
export function isLanguageCode(code: string): boolean {
  return knownLanguages.has(code);
}

/** Months after its last update when a profile counts as stale and its admins are nudged. */
export const staleAfterMonths = 6;

/** The most recipients one support request may go to. */
export const maxSupportRecipients = 10;
