import { createHmac, randomBytes } from 'node:crypto';
import { decrypt, encrypt, hashToken } from '../../server/kernel/crypto/crypto.js';
import { blindIndexWith, keyAad, sealWith } from '../../server/kernel/crypto/keystore.js';
import { lookupValue, type SealedTable } from '../../server/modules/cases/cases.crypto.js';
import type {
  ContactSection,
  DocumentsSection,
  IdentitySection,
  NarrativeSection,
  ProfileSection,
  VictimSection,
} from '../../server/modules/cases/cases.schemas.js';
import {
  educationLevels,
  maritalStatuses,
  methodsOfControl,
  perpetratorRoles,
  recruitmentMethods,
  supportPlanTypes,
  vulnerabilities,
  websitesAndApps,
  type CaseStatus,
} from '../../server/modules/cases/cases.vocabulary.js';
import {
  caseCountries,
  closureReasons,
  comments,
  consentNotes,
  eventDescriptions,
  exploitationStories,
  followUpNotes,
  journeyStories,
  objectives,
  outcomeStories,
  perpetratorAliases,
  recruitmentStories,
  vulnerabilityDetails,
  type CaseCountry,
} from './cases-text.js';
import type { CountryCode } from '../../server/modules/identity/identity.countries.js';
import { uuidFrom } from './directory-organisations.js';
import type { ScaleGenerator } from './generators.js';
import { createItemRng, createRng, deriveSeed, type Rng } from './prng.js';
import type { SqlClient } from './sql.js';

/**
 * `cases`: survivor case files at scale, written straight into Cairn's tables — organisations with
 * caseworkers and supervisors (passkey rows, sessions whose tokens the benchmark can recompute), each
 * organisation's data key, and per case the file, assignments, entries (trafficking events, perpetrators,
 * support plan, follow-ups, comments), consents and duplicate-lookup rows. SECURITY-relevant fidelity: every
 * identifying value is sealed exactly as the cases module seals it (keyring `sealWith`, same FieldLocation and
 * key version 1, organisation keys and the `lookup` blind-index key stored sealed under the master key with
 * the keystore's AAD), so Cairn opens them for real. Cairn's migrations must have run first, and Cairn must
 * run with the same CAIRN_MASTER_KEY the generator read.
 *
 * Every case is a pure function of (seed, organisation, number in organisation) and, for its dates only, the
 * day it was generated (`asOf`): the benchmark recomputes any case to pick who may open it and to check what
 * the API returns, without reading the database.
 */

/** `identity_organisations.referee` of the generated organisations. */
export const casesReferee = 'benchmark cases';
/** `identity_sessions.user_agent` of the generated sessions (how the benchmark refreshes them). */
export const benchSessionAgent = 'cairn-bench';

const dayMs = 86_400_000;
/** Cases per batch (one transaction). */
const batchSize = 1_000;
/** The open cases a caseworker carries on average: 30–60 each (issue 5's dashboard is for such caseloads). */
const caseloadTarget = 45;
/** Caseworkers per supervisor. */
const caseworkersPerSupervisor = 8;

// ---------------------------------------------------------------------------------------------------------
// The plan: organisations and their staff
// ---------------------------------------------------------------------------------------------------------

/** A caseworker or supervisor: a person, their membership, one passkey row and one session. */
export interface StaffMember {
  personId: string;
  membershipId: string;
  sessionId: string;
  passkeyId: string;
  role: 'caseworker' | 'case_supervisor';
  name: string;
  email: string;
}

/** A generated organisation and the range of case numbers it holds. */
export interface CaseOrganisation {
  index: number;
  id: string;
  name: string;
  country: CaseCountry;
  /** Global number of its first case; its cases are firstCase … firstCase + caseCount - 1. */
  firstCase: number;
  caseCount: number;
  caseworkers: StaffMember[];
  supervisors: StaffMember[];
}

function weightedCountry(rng: Rng): CaseCountry {
  const total = caseCountries.reduce((sum, c) => sum + c.weight, 0);
  let roll = rng.float() * total;
  for (const country of caseCountries) {
    roll -= country.weight;
    if (roll < 0) return country;
  }
  return caseCountries[0]!;
}

/**
 * The organisations of a run and their staff, deterministic for the seed: sizes vary (log-normal-ish, a few
 * large, many middling), caseworkers are hired so each carries about `caseloadTarget` open cases, and there is
 * a supervisor per eight caseworkers.
 */
export function planCaseOrganisations(
  seed: number,
  cases: number,
  organisations: number,
): CaseOrganisation[] {
  if (!Number.isInteger(organisations) || organisations < 1)
    throw new Error(`cases need at least one organisation, got ${organisations}`);
  const sizeRng = createRng(deriveSeed(seed, 'case-organisation-sizes'));
  // A sum of uniforms is roughly normal; exp of it spreads sizes about 5x between small and large.
  const weights = Array.from({ length: organisations }, () =>
    Math.exp((sizeRng.float() + sizeRng.float() + sizeRng.float() - 1.5) * 1.2),
  );
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  const sizes = weights.map((w) => Math.floor((cases * w) / totalWeight));
  for (let i = 0, left = cases - sizes.reduce((s, n) => s + n, 0); left > 0; i++, left--)
    sizes[i % organisations]! += 1;

  let firstCase = 0;
  return sizes.map((caseCount, index) => {
    const rng = createRng(deriveSeed(seed, `case-organisation:${index}`));
    const id = uuidFrom(rng);
    const country = weightedCountry(rng);
    const workers = Math.max(1, Math.round((caseCount * 0.6 * 1.2) / caseloadTarget));
    const supervisors = Math.max(1, Math.ceil(workers / caseworkersPerSupervisor));
    const staff = (role: StaffMember['role'], n: number): StaffMember[] =>
      Array.from({ length: n }, (_, j) => ({
        personId: uuidFrom(rng),
        membershipId: uuidFrom(rng),
        sessionId: uuidFrom(rng),
        passkeyId: uuidFrom(rng),
        role,
        name: `${rng.pick(country.given)} ${rng.pick(country.family)}`,
        // The seed keeps two generated data sets in one database apart (e-mail addresses are unique).
        email: `${role === 'caseworker' ? 'caseworker' : 'supervisor'}-${seed.toString(16)}-${index}-${j}@cases.bench.cairn.test`,
      }));
    const organisation: CaseOrganisation = {
      index,
      id,
      name: `Survivor support ${country.code}-${String(index + 1).padStart(3, '0')} (benchmark)`,
      country,
      firstCase,
      caseCount,
      caseworkers: staff('caseworker', workers),
      supervisors: staff('case_supervisor', supervisors),
    };
    firstCase += caseCount;
    return organisation;
  });
}

/** The organisation holding global case number `n` (binary search over the plan). */
export function organisationOfCase(organisations: readonly CaseOrganisation[], n: number): CaseOrganisation {
  let low = 0;
  let high = organisations.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (organisations[middle]!.firstCase <= n) low = middle;
    else high = middle - 1;
  }
  const found = organisations[low]!;
  if (n < found.firstCase || n >= found.firstCase + found.caseCount)
    throw new RangeError(`no organisation holds case ${n}`);
  return found;
}

/**
 * The session token of a generated staff member: an HMAC under the master key, so the benchmark (which has
 * the key) can recompute it and nobody without the key can guess it. Only its hash is stored, as
 * identity.sessions.ts does.
 */
export function benchSessionToken(masterKey: Buffer, personId: string): string {
  return createHmac('sha256', masterKey).update(`cairn-bench-session\u0000${personId}`).digest('base64url');
}

// ---------------------------------------------------------------------------------------------------------
// One case, in plain text
// ---------------------------------------------------------------------------------------------------------

type EntryKind = 'perpetrator' | 'event' | 'supportPlan' | 'followUp' | 'comment';

/** An entry as the cases module stores it: attributes in the clear, the rest sealed (null: nothing sealed). */
export interface SyntheticEntry {
  id: string;
  kind: EntryKind;
  attributes: Record<string, unknown>;
  sealed: Record<string, unknown> | null;
  dueOn: string | null;
  doneAt: string | null;
  assigneeId: string | null;
  remindedAt: string | null;
  createdAt: string;
}

export interface SyntheticConsent {
  id: string;
  purpose: 'Care' | 'Referral' | 'JourneyMap' | 'Research';
  recipientOrganisationId: string | null;
  sections: string[];
  givenOn: string;
  expiresOn: string | null;
  note: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface SyntheticCase {
  id: string;
  organisationId: string;
  /** Global case number (the benchmark's handle on it). */
  number: number;
  reference: string;
  status: CaseStatus;
  draft: boolean;
  restricted: boolean;
  identity: IdentitySection;
  contact: ContactSection | null;
  documents: DocumentsSection | null;
  narrative: NarrativeSection | null;
  profile: ProfileSection;
  victim: VictimSection;
  openedOn: string;
  closedOn: string | null;
  closure: { requestedBy: string; requestedAt: string; status: 'Closed' | 'ClosedReferred' } | null;
  /** Sealed with an approved closure, and with a pending one. */
  closureReason: string | null;
  createdBy: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Primary caseworker first. */
  assignees: StaffMember[];
  /** The named staff of a restricted case (empty otherwise). */
  restrictedTo: StaffMember[];
  entries: SyntheticEntry[];
  consents: SyntheticConsent[];
  /** Duplicate-lookup rows: what cases.service.ts reindexCase indexes (already `lookupValue`-formatted). */
  lookups: { id: string; kind: 'document' | 'name_birth_year'; indexed: string }[];
}

/** What every case of a run shares. */
export interface CasePlan {
  seed: number;
  /** The generation day (YYYY-MM-DD, UTC): dates are spread around it so the dashboard has due work today. */
  asOf: string;
  organisations: readonly CaseOrganisation[];
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

function pickSome<T>(rng: Rng, items: readonly T[], min: number, max: number): T[] {
  const count = rng.int(min, Math.min(max, items.length));
  const chosen = new Set<T>();
  while (chosen.size < count) chosen.add(rng.pick(items));
  return [...chosen];
}

function weighted<T extends string>(rng: Rng, options: readonly (readonly [T, number])[]): T {
  let roll = rng.float() * options.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of options) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return options[0]![0];
}

/** ASCII form of a name for an e-mail address (Nguyễn → nguyen). */
function asciiName(name: string): string {
  return name
    .replace(/[Đđ]/g, 'd')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

/**
 * A document number that depends only on (seed, organisation, case number), so a case can deliberately reuse
 * the previous case's number (a person registered twice: the duplicate warning's real-life case).
 */
export function documentNumber(seed: number, organisation: number, k: number): string {
  const rng = createRng(deriveSeed(seed, `case-document:${organisation}:${k}`));
  return `${'ABCEHKLMNPRT'[rng.int(0, 11)]}${String(rng.int(10_000_000, 99_999_999))}`;
}

const scamDestinations = new Set<string>(['KH', 'MM', 'LA', 'TH']);
const labourIndustries = [
  'T_ActivitiesOfHouseholdsAsEmployers',
  'A_AgricultureForestryAndFishing',
  'C_Manufacturing',
  'F_Construction',
  'I_AccommodationAndFoodServiceActivities',
] as const;

function victimSection(
  rng: Rng,
  country: CaseCountry,
  destination: CountryCode,
  draft: boolean,
): VictimSection {
  const victim: VictimSection = {
    recruitmentMethods: [],
    recruitmentWebsitesAndApps: [],
    methodsOfControl: [],
    exploitationTypes: [],
    sexExploitationTypes: [],
    exploitationWebsitesAndApps: [],
    vulnerabilities: [],
  };
  if (draft && rng.chance(0.5)) return victim;
  const status = weighted(rng, [
    ['ActualVictimOfTrafficking', 55],
    ['PossibleVictimOfTrafficking', 40],
    ['NotAVictimOfTrafficking', 5],
  ] as const);
  victim.traffickingStatus = status;
  if (status === 'ActualVictimOfTrafficking')
    victim.statusDecidedBy = weighted(rng, [
      ['NGO', 5],
      ['Police', 3],
      ['CourtOrProsecution', 1],
      ['NonPoliceGovernmentalOrganization', 1],
    ] as const);
  victim.agreementToManagePersonalData = true;
  victim.relationshipToTrafficker = weighted(rng, [
    ['Acquainted', 5],
    ['Unaquainted', 3],
    ['Familial', 2],
  ] as const);
  victim.ageWhenTrafficked = rng.int(13, 40);
  victim.recruitmentMethods = pickSome(rng, recruitmentMethods, 1, 2);
  if (victim.recruitmentMethods.some((m) => m.startsWith('ThroughOnline')))
    victim.recruitmentWebsitesAndApps = pickSome(rng, websitesAndApps.slice(0, 8), 1, 2);
  victim.recruitmentCountry = country.code;
  victim.exploitationCountry = destination;
  const main = scamDestinations.has(destination) && rng.chance(0.4) ? 'ForcedCriminality' : null;
  const type =
    main ??
    weighted(rng, [
      ['ForcedLabour', 45],
      ['SexualExploitation', 25],
      ['Servitude', 10],
      ['ForcedMarriage', 5],
      ['ForcedBegging', 3],
      ['ChildLabour', 3],
    ] as const);
  victim.exploitationTypes = [type];
  if (rng.chance(0.2)) {
    const second = rng.pick(['ForcedLabour', 'Servitude', 'SexualExploitation'] as const);
    if (second !== type) victim.exploitationTypes.push(second);
  }
  if (victim.exploitationTypes.includes('ForcedLabour'))
    victim.forcedLabourIndustry = rng.pick(labourIndustries);
  if (victim.exploitationTypes.includes('SexualExploitation')) {
    victim.sexExploitationTypes = [
      rng.pick(['Prostitution', 'PrivateSexualServices', 'Pornography'] as const),
    ];
    if (rng.chance(0.3)) victim.exploitationWebsitesAndApps = [rng.pick(websitesAndApps.slice(0, 8))];
  }
  victim.methodsOfControl = pickSome(rng, methodsOfControl.slice(0, -1), 1, 4);
  victim.vulnerabilities = pickSome(rng, vulnerabilities, 1, 3);
  return victim;
}

function narrativeOf(rng: Rng): NarrativeSection {
  const parts = [rng.pick(recruitmentStories), rng.pick(journeyStories), rng.pick(exploitationStories)];
  if (rng.chance(0.5)) parts.push(rng.pick(exploitationStories));
  parts.push(rng.pick(outcomeStories));
  const narrative: NarrativeSection = { account: [...new Set(parts)].join(' ') };
  if (rng.chance(0.4)) narrative.detailsOfVulnerabilities = rng.pick(vulnerabilityDetails);
  return narrative;
}

/**
 * Case number `k` of organisation `organisation` (global number organisation.firstCase + k), in plain text:
 * what a caseworker would have typed into Cairn, plus its dates, assignments and entries.
 */
export function syntheticCase(plan: CasePlan, organisation: CaseOrganisation, k: number): SyntheticCase {
  const { seed, asOf } = plan;
  const asOfMs = Date.parse(`${asOf}T00:00:00Z`);
  const rng = createItemRng(seed, `case:${organisation.index}:${k}`);
  const id = uuidFrom(rng);
  const country = rng.chance(0.85) ? organisation.country : rng.pick(caseCountries);
  const destination = rng.chance(0.25) ? country.code : rng.pick(country.destinations.slice(1));

  // Dates: more recent cases than old ones (a service grows), up to six years back.
  const openedDaysAgo = Math.floor(rng.float() ** 1.6 * 6 * 365);
  const openedMs = asOfMs - openedDaysAgo * dayMs;
  const draft = rng.chance(0.02);
  const status: CaseStatus = draft
    ? 'Active'
    : openedDaysAgo < 90
      ? weighted(rng, [
          ['Active', 80],
          ['FollowUp', 15],
          ['Closed', 5],
        ] as const)
      : weighted(rng, [
          ['Active', 35],
          ['FollowUp', 20],
          ['Closed', 35],
          ['ClosedReferred', 10],
        ] as const);
  const open = status === 'Active' || status === 'FollowUp';
  const closedMs = open ? null : openedMs + rng.int(Math.min(30, openedDaysAgo), openedDaysAgo) * dayMs;
  const updatedMs = open
    ? Math.max(openedMs, asOfMs - rng.int(0, Math.min(openedDaysAgo, 120)) * dayMs - rng.int(60_000, dayMs))
    : Math.max(openedMs, closedMs! - rng.int(60_000, dayMs));

  // Who works on it.
  const primary = rng.pick(organisation.caseworkers);
  const assignees = [primary];
  if (organisation.caseworkers.length > 1 && rng.chance(0.2)) {
    const second = rng.pick(organisation.caseworkers);
    if (second !== primary) assignees.push(second);
  }
  const restricted = !draft && rng.chance(0.03);
  // setRestriction always names the supervisor who restricts, so the first supervisor is on every list.
  const restrictedTo = restricted ? [primary, organisation.supervisors[0]!] : [];

  // The identifying sections.
  // Two given names half the time (Thu Hương, Mercy Wanjiru, Maria Cristina): with one birth year they make
  // the duplicate check's name + birth year rarely shared, as in life, not in every tenth case.
  const given = rng.pick(country.given);
  const other = rng.pick(country.given);
  const firstName = rng.chance(0.5) && other !== given ? `${given} ${other}` : given;
  const secondName = draft && rng.chance(0.5) ? undefined : rng.pick(country.family);
  const birthYear = 2026 - rng.int(12, 55);
  const identity: IdentitySection = { firstName, aliases: [] };
  if (secondName) identity.secondName = secondName;
  if (rng.chance(0.2))
    identity.aliases = [`${rng.pick(country.given)} ${rng.pick(['A.', 'B.', 'K.', 'M.'])}`];
  const birth = rng.float();
  if (birth < 0.35)
    identity.birthDate = `${birthYear}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  else if (birth < 0.9) identity.birthYear = birthYear;

  let contact: ContactSection | null = null;
  if (rng.chance(0.75)) {
    let digits = '';
    for (let i = 0; i < country.phone.digits; i++) digits += String(rng.int(0, 9));
    const written: ContactSection = {
      city: rng.pick(country.cities),
      country: country.code,
      mobilePhone: `${country.phone.prefix}${digits}`,
    };
    if (rng.chance(0.15))
      written.email = `${asciiName(firstName)}.${asciiName(secondName ?? 'x')}${rng.int(1, 99)}@example.com`;
    if (rng.chance(0.2))
      written.street = `${rng.int(1, 200)} ${rng.pick(['Market', 'Station', 'Mission', 'Lake', 'Hill'])} Road`;
    contact = written;
  }
  let documents: DocumentsSection | null = null;
  if (rng.chance(0.55)) {
    // One case in two hundred reuses the previous case's number: a person registered twice.
    const duplicate = k > 0 && rng.chance(0.005);
    const written: DocumentsSection = [
      {
        type: rng.chance(0.6) ? 'Passport' : 'NationalId',
        number: documentNumber(seed, organisation.index, duplicate ? k - 1 : k),
        issuingCountry: country.code,
      },
    ];
    documents = written;
    if (rng.chance(0.1))
      written.push({
        type: rng.pick(['WorkPermit', 'Visa', 'BirthCertificate'] as const),
        number: `${country.code}-${rng.int(100_000, 999_999)}`,
        issuingCountry: rng.chance(0.5) ? country.code : destination,
      });
  }
  const narrative = rng.chance(draft ? 0.3 : 0.8) ? narrativeOf(rng) : null;

  const profile: ProfileSection = {
    gender: weighted(rng, [
      ['Feminine', 65],
      ['Masculine', 30],
      ['TransgenderFeminine', 2],
      ['NonSpecifiedUnknown', 3],
    ] as const),
    citizenships: [country.code],
    primaryLanguage: country.language,
  };
  if (rng.chance(0.3)) profile.secondaryLanguage = 'en';
  if (rng.chance(0.5)) profile.education = rng.pick(educationLevels.slice(0, 5));
  if (rng.chance(0.5)) profile.maritalStatus = rng.pick(maritalStatuses.slice(0, 5));
  if (rng.chance(0.4)) profile.numberOfChildren = rng.int(0, 4);
  const victim = victimSection(rng, country, destination, draft);

  // Entries, created between the opening and the last change.
  const pending: Omit<SyntheticEntry, 'createdAt'>[] = [];
  const add = (
    kind: EntryKind,
    attributes: Record<string, unknown>,
    sealed: Record<string, unknown> | null,
    extra: Partial<Pick<SyntheticEntry, 'dueOn' | 'doneAt' | 'assigneeId' | 'remindedAt'>> = {},
  ) =>
    pending.push({
      id: uuidFrom(rng),
      kind,
      attributes,
      sealed,
      dueOn: extra.dueOn ?? null,
      doneAt: extra.doneAt ?? null,
      assigneeId: extra.assigneeId ?? null,
      remindedAt: extra.remindedAt ?? null,
    });
  if (!draft) {
    const before = (maxDays: number) => isoDay(openedMs - rng.int(20, maxDays) * dayMs);
    const described = () => (rng.chance(0.4) ? { description: rng.pick(eventDescriptions) } : null);
    add('event', { type: 'Recruitment', country: country.code, date: before(900) }, described());
    if (rng.chance(0.5)) add('event', { type: 'Transit', country: rng.pick(country.destinations) }, null);
    if (rng.chance(0.9))
      add('event', { type: 'Exploitation', country: destination, date: before(60) }, described());
    const perpetrators = rng.chance(0.6) ? (rng.chance(0.15) ? 2 : 1) : 0;
    for (let i = 0; i < perpetrators; i++) {
      const sealed: Record<string, unknown> = {
        aliases: rng.chance(0.4) ? [rng.pick(perpetratorAliases)] : [],
      };
      if (rng.chance(0.5)) sealed.name = `${rng.pick(country.given)} ${rng.pick(country.family)}`;
      if (rng.chance(0.3)) sealed.phone = `${country.phone.prefix}${rng.int(1_000_000, 9_999_999)}`;
      add(
        'perpetrator',
        { roles: pickSome(rng, perpetratorRoles.slice(0, 14), 1, 2), nationality: country.code },
        sealed,
      );
    }
    for (let i = 0, n = rng.int(1, 3); i < n; i++) {
      const type = rng.pick(supportPlanTypes);
      const status = open
        ? weighted(rng, [
            ['InProgress', 5],
            ['Planned', 3],
            ['Achieved', 2],
          ] as const)
        : weighted(rng, [
            ['Achieved', 6],
            ['NotAchieved', 2],
            ['Cancelled', 1],
          ] as const);
      const endMs = open ? asOfMs + rng.int(-30, 240) * dayMs : closedMs! - rng.int(0, 60) * dayMs;
      const finished = status === 'Achieved' || status === 'NotAchieved' || status === 'Cancelled';
      const sealed = rng.chance(0.8) ? { objectives: rng.pick(objectives[type]!) } : null;
      add('supportPlan', { type, status, plannedEndDate: isoDay(endMs) }, sealed, {
        dueOn: isoDay(endMs),
        doneAt: finished ? iso(Math.min(endMs, updatedMs)) : null,
      });
    }
    for (let i = 0, n = open ? rng.int(0, 2) : rng.int(0, 1); i < n; i++) {
      const dueMs = open ? asOfMs + rng.int(-14, 60) * dayMs : closedMs! - rng.int(1, 90) * dayMs;
      const done = !open || (dueMs < asOfMs ? rng.chance(0.5) : rng.chance(0.05));
      const sealed = rng.chance(0.7) ? { note: rng.pick(followUpNotes) } : null;
      add('followUp', { dueOn: isoDay(dueMs), done }, sealed, {
        dueOn: isoDay(dueMs),
        doneAt: done ? iso(Math.min(dueMs, updatedMs)) : null,
        assigneeId: primary.personId,
        // Already reminded when due before the generation day: Cairn's hourly sweep would otherwise mail
        // every overdue follow-up of the data set while the benchmark measures.
        remindedAt: !done && dueMs <= asOfMs ? iso(asOfMs) : null,
      });
    }
  }
  for (let i = 0, n = draft ? rng.int(0, 1) : rng.int(1, 4); i < n; i++)
    add('comment', {}, { body: rng.pick(comments) });
  const span = Math.max(1, updatedMs - openedMs);
  const entries = pending.map((entry, i) => ({
    ...entry,
    createdAt: iso(openedMs + Math.floor(((i + 1) / (pending.length + 1)) * span)),
  }));

  // Consents, given at intake.
  const consents: SyntheticConsent[] = [];
  if (!draft) {
    const consent = (
      purpose: SyntheticConsent['purpose'],
      sections: string[],
      recipientOrganisationId: string | null = null,
    ) => {
      const expires = rng.chance(0.2) ? isoDay(openedMs + 730 * dayMs) : null;
      const revoked = rng.chance(0.04) ? iso(Math.min(updatedMs, openedMs + rng.int(10, 300) * dayMs)) : null;
      consents.push({
        id: uuidFrom(rng),
        purpose,
        recipientOrganisationId,
        sections,
        givenOn: isoDay(openedMs),
        expiresOn: expires,
        note: rng.chance(0.3) ? rng.pick(consentNotes) : null,
        revokedAt: revoked,
        createdAt: iso(openedMs + 3_600_000 * (consents.length + 1)),
      });
    };
    if (rng.chance(0.85)) consent('Care', ['identity', 'contact', 'profile', 'victim', 'supportPlan']);
    if (rng.chance(0.4)) consent('JourneyMap', ['events', 'victim']);
    if (rng.chance(0.1)) consent('Research', ['profile', 'victim']);
    const others = plan.organisations.length;
    if (others > 1 && rng.chance(status === 'ClosedReferred' ? 0.8 : 0.05)) {
      const recipient = plan.organisations[(organisation.index + rng.int(1, others - 1)) % others]!;
      consent('Referral', ['identity', 'contact', 'profile', 'victim', 'supportPlan'], recipient.id);
    }
  }

  // Closure: approved ones keep their sealed reason; a few open cases wait for a supervisor.
  let closure: SyntheticCase['closure'] = null;
  let closureReason: string | null = null;
  if (!open && rng.chance(0.9)) closureReason = rng.pick(closureReasons);
  if (open && !draft && rng.chance(0.03)) {
    closure = {
      requestedBy: primary.personId,
      requestedAt: iso(Math.max(openedMs, asOfMs - rng.int(1, 10) * dayMs)),
      status: rng.chance(0.8) ? 'Closed' : 'ClosedReferred',
    };
    closureReason = rng.pick(closureReasons);
  }

  // Duplicate lookups, exactly as cases.service.ts lookupValues + reindexCase index them.
  const lookups: SyntheticCase['lookups'] = [];
  const seen = new Set<string>();
  const indexed = (kind: 'document' | 'name_birth_year', value: string) => {
    const text = lookupValue(kind, value);
    if (seen.has(text)) return;
    seen.add(text);
    lookups.push({ id: uuidFrom(rng), kind, indexed: text });
  };
  for (const document of documents ?? []) indexed('document', document.number);
  const year =
    identity.birthYear ?? (identity.birthDate ? Number(identity.birthDate.slice(0, 4)) : undefined);
  if (identity.secondName && year !== undefined)
    indexed('name_birth_year', `${identity.firstName ?? ''} ${identity.secondName} ${year}`);

  return {
    id,
    organisationId: organisation.id,
    number: organisation.firstCase + k,
    reference: `${new Date(openedMs).getUTCFullYear()}-${String(k + 1).padStart(4, '0')}`,
    status,
    draft,
    restricted,
    identity,
    contact,
    documents,
    narrative,
    profile,
    victim,
    openedOn: isoDay(openedMs),
    closedOn: closedMs === null ? null : isoDay(closedMs),
    closure,
    closureReason,
    createdBy: primary.personId,
    version: 1 + entries.length + consents.length + (closure ? 1 : 0),
    createdAt: iso(openedMs),
    updatedAt: iso(updatedMs),
    assignees,
    restrictedTo,
    entries,
    consents,
    lookups,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Sealing: the rows as Cairn stores them
// ---------------------------------------------------------------------------------------------------------

/** The keys a batch is sealed with: each organisation's version-1 data key, and the lookup blind-index key. */
export interface SealingKeys {
  organisation: (organisationId: string) => Buffer;
  lookup: { version: number; key: Buffer };
}

/** One batch's rows for each table, as JSON records (inserted through jsonb_to_recordset). */
export interface CasesBatch {
  files: Record<string, unknown>[];
  assignments: Record<string, unknown>[];
  restricted: Record<string, unknown>[];
  entries: Record<string, unknown>[];
  consents: Record<string, unknown>[];
  lookups: Record<string, unknown>[];
}

/** An empty batch. */
export function emptyCasesBatch(): CasesBatch {
  return { files: [], assignments: [], restricted: [], entries: [], consents: [], lookups: [] };
}

/**
 * SECURITY-relevant: seals a value at its place exactly as the cases module does — sealJson is
 * `sealField(JSON.stringify(value))`, sealField is `sealWith(active key, version, place, text)` — under the
 * organisation's version-1 key.
 */
function sealAt(
  key: Buffer,
  organisationId: string,
  table: SealedTable,
  column: string,
  rowId: string,
  text: string,
) {
  return sealWith(key, 1, { organisationId, table, column, rowId }, text);
}

/** Appends one case's rows to a batch, sealing every identifying value. */
export function addSealedCase(batch: CasesBatch, c: SyntheticCase, keys: SealingKeys): void {
  const org = c.organisationId;
  const key = keys.organisation(org);
  const json = (column: string, value: unknown) =>
    value === null ? null : sealAt(key, org, 'cases_files', column, c.id, JSON.stringify(value));
  batch.files.push({
    id: c.id,
    organisation_id: org,
    reference: c.reference,
    status: c.status,
    draft: c.draft,
    restricted: c.restricted,
    identity_sealed: json('identity_sealed', c.identity),
    contact_sealed: json('contact_sealed', c.contact),
    documents_sealed: json('documents_sealed', c.documents),
    narrative_sealed: json('narrative_sealed', c.narrative),
    profile: c.profile,
    victim: c.victim,
    opened_on: c.openedOn,
    closed_on: c.closedOn,
    closure_requested_by: c.closure?.requestedBy ?? null,
    closure_requested_at: c.closure?.requestedAt ?? null,
    closure_status: c.closure?.status ?? null,
    closure_reason_sealed: json('closure_reason_sealed', c.closureReason),
    created_by: c.createdBy,
    version: c.version,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  });
  c.assignees.forEach((staff, i) =>
    batch.assignments.push({
      case_id: c.id,
      organisation_id: org,
      membership_id: staff.membershipId,
      primary: i === 0,
      assigned_at: c.createdAt,
    }),
  );
  for (const staff of c.restrictedTo)
    batch.restricted.push({ case_id: c.id, organisation_id: org, membership_id: staff.membershipId });
  for (const entry of c.entries)
    batch.entries.push({
      id: entry.id,
      case_id: c.id,
      organisation_id: org,
      kind: entry.kind,
      attributes: entry.attributes,
      sealed:
        entry.sealed === null
          ? null
          : sealAt(key, org, 'cases_entries', 'sealed', entry.id, JSON.stringify(entry.sealed)),
      due_on: entry.dueOn,
      done_at: entry.doneAt,
      assignee_id: entry.assigneeId,
      reminded_at: entry.remindedAt,
      created_by: c.createdBy,
      created_at: entry.createdAt,
      updated_at: entry.createdAt,
    });
  for (const consent of c.consents)
    batch.consents.push({
      id: consent.id,
      case_id: c.id,
      organisation_id: org,
      purpose: consent.purpose,
      recipient_organisation_id: consent.recipientOrganisationId,
      sections: consent.sections,
      given_on: consent.givenOn,
      expires_on: consent.expiresOn,
      recorded_by: c.createdBy,
      note_sealed:
        consent.note === null
          ? null
          : sealAt(key, org, 'cases_consents', 'note_sealed', consent.id, JSON.stringify(consent.note)),
      revoked_at: consent.revokedAt,
      revoked_by: consent.revokedAt ? c.createdBy : null,
      created_at: consent.createdAt,
      updated_at: consent.revokedAt ?? consent.createdAt,
    });
  for (const lookup of c.lookups)
    batch.lookups.push({
      id: lookup.id,
      case_id: c.id,
      organisation_id: org,
      kind: lookup.kind,
      // reindexCase seals the indexed text itself (not JSON) beside its digest.
      value_sealed: sealAt(key, org, 'cases_lookup', 'value_sealed', lookup.id, lookup.indexed),
      digest: blindIndexWith(keys.lookup.key, keys.lookup.version, 'lookup', org, lookup.indexed),
    });
}

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

const filesSql = (p: number) => `insert into cases_files
  (id, organisation_id, reference, status, draft, restricted, identity_sealed, contact_sealed, documents_sealed,
   narrative_sealed, profile, victim, opened_on, closed_on, closure_requested_by, closure_requested_at,
   closure_status, closure_reason_sealed, created_by, version, created_at, updated_at)
  select id, organisation_id, reference, status, draft, restricted, identity_sealed, contact_sealed,
   documents_sealed, narrative_sealed, profile, victim, opened_on, closed_on, closure_requested_by,
   closure_requested_at, closure_status, closure_reason_sealed, created_by, version, created_at, updated_at
  from jsonb_to_recordset($${p}::jsonb) as r(id uuid, organisation_id uuid, reference text, status text,
    draft boolean, restricted boolean, identity_sealed text, contact_sealed text, documents_sealed text,
    narrative_sealed text, profile jsonb, victim jsonb, opened_on date, closed_on date,
    closure_requested_by uuid, closure_requested_at timestamptz, closure_status text,
    closure_reason_sealed text, created_by uuid, version int4, created_at timestamptz, updated_at timestamptz)`;

const assignmentsSql = (
  p: number,
) => `insert into cases_assignments (case_id, organisation_id, membership_id, "primary", assigned_at)
  select case_id, organisation_id, membership_id, "primary", assigned_at
  from jsonb_to_recordset($${p}::jsonb) as r(case_id uuid, organisation_id uuid, membership_id uuid,
    "primary" boolean, assigned_at timestamptz)`;

const restrictedSql = (
  p: number,
) => `insert into cases_restricted_staff (case_id, organisation_id, membership_id)
  select case_id, organisation_id, membership_id
  from jsonb_to_recordset($${p}::jsonb) as r(case_id uuid, organisation_id uuid, membership_id uuid)`;

const entriesSql = (p: number) => `insert into cases_entries
  (id, case_id, organisation_id, kind, attributes, sealed, due_on, done_at, assignee_id, reminded_at, created_by,
   created_at, updated_at)
  select id, case_id, organisation_id, kind, attributes, sealed, due_on, done_at, assignee_id, reminded_at,
   created_by, created_at, updated_at
  from jsonb_to_recordset($${p}::jsonb) as r(id uuid, case_id uuid, organisation_id uuid, kind text,
    attributes jsonb, sealed text, due_on date, done_at timestamptz, assignee_id uuid, reminded_at timestamptz,
    created_by uuid, created_at timestamptz, updated_at timestamptz)`;

const consentsSql = (p: number) => `insert into cases_consents
  (id, case_id, organisation_id, purpose, recipient_organisation_id, sections, given_on, expires_on,
   recorded_by, note_sealed, revoked_at, revoked_by, created_at, updated_at)
  select id, case_id, organisation_id, purpose, recipient_organisation_id, sections, given_on, expires_on,
   recorded_by, note_sealed, revoked_at, revoked_by, created_at, updated_at
  from jsonb_to_recordset($${p}::jsonb) as r(id uuid, case_id uuid, organisation_id uuid, purpose text,
    recipient_organisation_id uuid, sections text[], given_on date, expires_on date, recorded_by uuid,
    note_sealed text, revoked_at timestamptz, revoked_by uuid, created_at timestamptz, updated_at timestamptz)`;

const lookupsSql = (
  p: number,
) => `insert into cases_lookup (id, case_id, organisation_id, kind, value_sealed, digest)
  select id, case_id, organisation_id, kind, value_sealed, digest
  from jsonb_to_recordset($${p}::jsonb) as r(id uuid, case_id uuid, organisation_id uuid, kind text,
    value_sealed text, digest text)`;

const organisationsSql = `insert into identity_organisations
  (id, name, type, countries, referee, status, tier, verified_at, tier_expires_at, created_at, updated_at)
  select id, name, 'ngo', countries, referee, 'active', 'verified_frontline', verified_at, tier_expires_at,
   created_at, created_at
  from jsonb_to_recordset($1::jsonb) as r(id uuid, name text, countries text[], referee text,
    verified_at timestamptz, tier_expires_at timestamptz, created_at timestamptz)`;

const organisationKeysSql = `insert into kernel_organisation_keys (organisation_id, version, sealed_key, state)
  select organisation_id, 1, sealed_key, 'active'
  from jsonb_to_recordset($1::jsonb) as r(organisation_id uuid, sealed_key text)`;

const peopleSql = `insert into identity_people (id, email, display_name, language, created_at, updated_at)
  select id, email, display_name, 'en', created_at, created_at
  from jsonb_to_recordset($1::jsonb) as r(id uuid, email text, display_name text, created_at timestamptz)`;

const membershipsSql = `insert into identity_memberships (id, person_id, organisation_id, role, created_at, updated_at)
  select id, person_id, organisation_id, role, created_at, created_at
  from jsonb_to_recordset($1::jsonb) as r(id uuid, person_id uuid, organisation_id uuid, role text,
    created_at timestamptz)`;

// A passkey row only so the session resolver counts the factor case roles need; it verifies nothing (the
// benchmark's sessions are written directly, never signed in through WebAuthn).
const passkeysSql = `insert into identity_passkeys (id, person_id, credential_id, public_key, name, created_at)
  select id, person_id, 'cairn-bench-' || id::text, 'not-a-key', 'Benchmark placeholder', created_at
  from jsonb_to_recordset($1::jsonb) as r(id uuid, person_id uuid, created_at timestamptz)`;

const sessionsSql = `insert into identity_sessions
  (id, token_hash, person_id, active_membership_id, level, created_at, last_seen_at, expires_at, step_up_at,
   ip, user_agent)
  select id, token_hash, person_id, active_membership_id, 'full', now(), now(), now() + interval '12 hours',
   now(), '127.0.0.1', $2
  from jsonb_to_recordset($1::jsonb) as r(id uuid, token_hash text, person_id uuid, active_membership_id uuid)`;

/**
 * Makes the generated sessions usable again: stepped up now (reveal needs a step-up within 5 minutes), seen
 * now (case roles time out after 15 idle minutes), expiring in 12 hours, not revoked — what signing in again
 * with a passkey would give. Returns how many sessions it refreshed.
 */
export async function refreshBenchSessions(db: SqlClient): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `with refreshed as (
       update identity_sessions set step_up_at = now(), last_seen_at = now(),
         expires_at = now() + interval '12 hours', revoked_at = null
       where user_agent = $1 returning 1)
     select count(*)::int as n from refreshed`,
    [benchSessionAgent],
  );
  return rows[0]?.n ?? 0;
}

/** Runs statements in one transaction. */
async function inOneTransaction(db: SqlClient, work: () => Promise<void>): Promise<void> {
  await db.query('begin');
  try {
    await work();
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  }
}

/**
 * One batch as ONE statement (data-modifying CTEs, one JSON parameter per table): sent at once, so PostgreSQL
 * writes it while this process generates and seals the next batch. (Separate statements in a transaction would
 * each wait for the generating loop to yield before the next could be sent.) Foreign keys are checked at the
 * end of the statement, when every table's rows are in.
 */
const batchSql = `with f as (${filesSql(1)}), a as (${assignmentsSql(2)}), r as (${restrictedSql(3)}),
  e as (${entriesSql(4)}), c as (${consentsSql(5)}), l as (${lookupsSql(6)}) select 1 as done`;

async function writeBatch(db: SqlClient, batch: CasesBatch): Promise<void> {
  await db.query(batchSql, [
    JSON.stringify(batch.files),
    JSON.stringify(batch.assignments),
    JSON.stringify(batch.restricted),
    JSON.stringify(batch.entries),
    JSON.stringify(batch.consents),
    JSON.stringify(batch.lookups),
  ]);
}

/** Reads CAIRN_MASTER_KEY (base64, 32 bytes): the generator seals keys under the same master key as Cairn. */
export function masterKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const text = env.CAIRN_MASTER_KEY;
  const key = text ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== 32)
    throw new Error(
      'the cases generator seals case files under Cairn’s master key: set CAIRN_MASTER_KEY (32 random ' +
        'bytes, base64) for the generator and for the Cairn that will read them',
    );
  return key;
}

/**
 * The `lookup` blind-index key: the existing active version if Cairn made one already, else version 1, stored
 * as the keystore stores it. Fails clearly if the stored key was sealed under another master key.
 */
async function lookupKey(db: SqlClient, masterKey: Buffer): Promise<{ version: number; key: Buffer }> {
  const read = () =>
    db.query<{ version: number; sealed_key: string }>(
      `select version, sealed_key from kernel_blind_index_keys where purpose = 'lookup' and state = 'active'`,
    );
  let [row] = await read();
  if (!row) {
    const sealed = encrypt(masterKey, randomBytes(32).toString('base64'), keyAad('blind_index', 'lookup', 1));
    await db.query(
      `insert into kernel_blind_index_keys (purpose, version, sealed_key, state) values ('lookup', 1, $1, 'active')
       on conflict do nothing`,
      [sealed],
    );
    [row] = await read();
  }
  if (!row) throw new Error('no active lookup blind-index key after creating one');
  try {
    const key = Buffer.from(
      decrypt(masterKey, row.sealed_key, keyAad('blind_index', 'lookup', row.version)),
      'base64',
    );
    return { version: row.version, key };
  } catch (error) {
    throw new Error(
      'the database’s lookup blind-index key does not open with this CAIRN_MASTER_KEY: use the master key ' +
        'Cairn ran with on this database',
      { cause: error },
    );
  }
}

/** Writes the organisations, their staff (people, memberships, passkey rows) and their data keys. */
async function writeOrganisations(
  db: SqlClient,
  plan: CasePlan,
  masterKey: Buffer,
): Promise<Map<string, Buffer>> {
  const asOfMs = Date.parse(`${plan.asOf}T00:00:00Z`);
  const since = iso(asOfMs - 3 * 365 * dayMs);
  const keys = new Map<string, Buffer>();
  const chunk = 200;
  for (let start = 0; start < plan.organisations.length; start += chunk) {
    const organisations = plan.organisations.slice(start, start + chunk);
    const staff = organisations.flatMap((o) =>
      [...o.supervisors, ...o.caseworkers].map((member) => ({ member, organisation: o })),
    );
    const sealedKeys = organisations.map((o) => {
      // Random, like the keystore's: synthetic data still gets real keys.
      const key = randomBytes(32);
      keys.set(o.id, key);
      return {
        organisation_id: o.id,
        sealed_key: encrypt(masterKey, key.toString('base64'), keyAad('organisation', o.id, 1)),
      };
    });
    await inOneTransaction(db, async () => {
      await db.query(organisationsSql, [
        JSON.stringify(
          organisations.map((o) => ({
            id: o.id,
            name: o.name,
            countries: [o.country.code],
            referee: casesReferee,
            verified_at: since,
            // Far ahead, so no tier expires (and no reminder job runs) while a benchmark measures.
            tier_expires_at: iso(asOfMs + 5 * 365 * dayMs),
            created_at: since,
          })),
        ),
      ]);
      await db.query(organisationKeysSql, [JSON.stringify(sealedKeys)]);
      await db.query(peopleSql, [
        JSON.stringify(
          staff.map(({ member }) => ({
            id: member.personId,
            email: member.email,
            display_name: member.name,
            created_at: since,
          })),
        ),
      ]);
      await db.query(membershipsSql, [
        JSON.stringify(
          staff.map(({ member, organisation }) => ({
            id: member.membershipId,
            person_id: member.personId,
            organisation_id: organisation.id,
            role: member.role,
            created_at: since,
          })),
        ),
      ]);
      await db.query(passkeysSql, [
        JSON.stringify(
          staff.map(({ member }) => ({
            id: member.passkeyId,
            person_id: member.personId,
            created_at: since,
          })),
        ),
      ]);
    });
  }
  return keys;
}

/** Writes one full-level session per staff member, acting for their membership, with a known token. */
async function writeSessions(db: SqlClient, plan: CasePlan, masterKey: Buffer): Promise<number> {
  const staff = plan.organisations.flatMap((o) => [...o.supervisors, ...o.caseworkers]);
  const chunk = 5_000;
  for (let start = 0; start < staff.length; start += chunk) {
    const rows = staff.slice(start, start + chunk).map((member) => ({
      id: member.sessionId,
      token_hash: hashToken(benchSessionToken(masterKey, member.personId)),
      person_id: member.personId,
      active_membership_id: member.membershipId,
    }));
    await db.query(sessionsSql, [JSON.stringify(rows), benchSessionAgent]);
  }
  return staff.length;
}

/**
 * Saves the case tables' foreign keys and plain secondary indexes (not primary keys, not unique ones) in a
 * temporary table and drops them: for a large load they cost a trigger or an index update per row. The
 * statements are built by PostgreSQL itself (`format('%I')`), from the catalogue, never from data.
 */
const dropForLoadSql = `
  create temporary table cases_bench_deferred as
    select 'index'::text as kind, tablename::text as table_name, indexname::text as name, indexdef as definition
      from pg_indexes
     where schemaname = current_schema()
       and tablename in ('cases_files', 'cases_assignments', 'cases_entries', 'cases_consents', 'cases_lookup')
       and indexname not like '%_pkey' and indexdef not ilike 'create unique %'
    union all
    select 'foreign_key', t.relname::text, c.conname::text, pg_get_constraintdef(c.oid)
      from pg_constraint c join pg_class t on t.oid = c.conrelid
     where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace
       and t.relname in ('cases_files', 'cases_assignments', 'cases_entries', 'cases_consents', 'cases_lookup',
                         'cases_restricted_staff');
  do $$
  declare item record;
  begin
    for item in select * from cases_bench_deferred where kind = 'foreign_key' loop
      execute format('alter table %I drop constraint %I', item.table_name, item.name);
    end loop;
    for item in select * from cases_bench_deferred where kind = 'index' loop
      execute format('drop index %I', item.name);
    end loop;
  end $$;`;

/** Builds the saved indexes again and adds the foreign keys back (which checks every loaded row at once). */
const restoreAfterLoadSql = `
  do $$
  declare item record;
  begin
    for item in select * from cases_bench_deferred where kind = 'index' loop
      execute item.definition;
    end loop;
    for item in select * from cases_bench_deferred where kind = 'foreign_key' loop
      execute format('alter table %I add constraint %I %s', item.table_name, item.name, item.definition);
    end loop;
  end $$;
  drop table cases_bench_deferred;`;

const analyzeSql = `analyze identity_organisations; analyze identity_people; analyze identity_memberships;
  analyze identity_sessions; analyze identity_passkeys; analyze cases_files; analyze cases_assignments;
  analyze cases_restricted_staff; analyze cases_entries; analyze cases_consents; analyze cases_lookup`;

/** What a run wrote. */
export interface CasesReport {
  cases: number;
  organisations: number;
  staff: number;
  entries: number;
  consents: number;
  lookups: number;
}

export interface GenerateCasesOptions {
  /** The data seed (not the run's seed: the generator's first draw from its stream, see casesDataSeed). */
  seed: number;
  cases: number;
  organisations: number;
  masterKey: Buffer;
  /** The generation day, YYYY-MM-DD (default: today, UTC). */
  asOf?: string;
  /** Called after each written batch with how many cases are in. */
  onBatch?: (done: number, report: CasesReport) => void;
  /**
   * From this many cases on, the case tables' secondary indexes and foreign keys are dropped for the load and
   * rebuilt after it (default 50,000).
   */
  rebuildIndexesFrom?: number;
}

/** Fills Cairn's case tables (and the organisations and staff they belong to); returns what it wrote. */
export async function generateCases(db: SqlClient, options: GenerateCasesOptions): Promise<CasesReport> {
  const { seed, cases, masterKey, onBatch, rebuildIndexesFrom = 50_000 } = options;
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  const [tables] = await db.query<{ found: string | null }>(
    `select to_regclass('cases_files')::text as found`,
  );
  if (!tables?.found)
    throw new Error(
      'the cases generator fills Cairn’s own tables: start Cairn once on this database (it runs the ' +
        'migrations), stop it, then generate',
    );
  const plan: CasePlan = {
    seed,
    asOf,
    organisations: planCaseOrganisations(seed, cases, options.organisations),
  };
  const [existing] = await db.query<{ n: number }>(
    'select count(*)::int as n from identity_organisations where id = any($1::uuid[])',
    [plan.organisations.map((o) => o.id)],
  );
  if ((existing?.n ?? 0) > 0)
    throw new Error(
      'this database already holds the cases of this seed: the generator is for fresh databases',
    );
  const lookup = await lookupKey(db, masterKey);
  const organisationKeys = await writeOrganisations(db, plan, masterKey);
  const keys: SealingKeys = {
    organisation: (id) => organisationKeys.get(id) ?? fail(`no key for organisation ${id}`),
    lookup,
  };
  const report: CasesReport = {
    cases: 0,
    organisations: plan.organisations.length,
    staff: plan.organisations.reduce((n, o) => n + o.caseworkers.length + o.supervisors.length, 0),
    entries: 0,
    consents: 0,
    lookups: 0,
  };

  if (db.kind === 'postgresql') await db.exec(`set maintenance_work_mem = '256MB'`);
  const large = cases >= rebuildIndexesFrom;
  if (large) await db.exec(dropForLoadSql);
  // The next batch is generated (and sealed) while the database writes this one.
  let inFlight: Promise<void> | undefined;
  try {
    let batch = emptyCasesBatch();
    let inBatch = 0;
    const flush = async () => {
      const full = batch;
      const count = inBatch;
      batch = emptyCasesBatch();
      inBatch = 0;
      await inFlight;
      inFlight = writeBatch(db, full).then(() => {
        report.cases += count;
        report.entries += full.entries.length;
        report.consents += full.consents.length;
        report.lookups += full.lookups.length;
        onBatch?.(report.cases, report);
      });
    };
    for (const organisation of plan.organisations) {
      for (let k = 0; k < organisation.caseCount; k++) {
        addSealedCase(batch, syntheticCase(plan, organisation, k), keys);
        inBatch += 1;
        if (inBatch === batchSize) await flush();
      }
    }
    if (inBatch > 0) await flush();
    await inFlight;
  } catch (error) {
    // Don't leave a rejected write unobserved when generating the next batch was what failed.
    await inFlight?.catch(() => undefined);
    throw error;
  } finally {
    // Rebuilt even after a failure, so the database is never left without its indexes and constraints.
    if (large) await db.exec(restoreAfterLoadSql);
  }
  // Sessions last: their idle clock starts when the data is ready.
  await writeSessions(db, plan, masterKey);
  await db.exec(analyzeSql);
  return report;
}

function fail(message: string): never {
  throw new Error(message);
}

/**
 * The data seed the `cases` generator uses for a run seed: its first draw from the stream generateScaleData
 * gives it, so the benchmark can recompute the same plan.
 */
export function casesDataSeed(runSeed: number): number {
  return createRng(deriveSeed(runSeed, casesGenerator.name)).uint32();
}

export const casesGenerator: ScaleGenerator = {
  name: 'cases',
  description: 'survivor case files with sealed identifying sections, staff and sessions (Cairn’s tables)',
  async create(db, preset, rng) {
    const masterKey = masterKeyFromEnv();
    const seed = rng.uint32();
    const started = performance.now();
    let nextLog = 0;
    const report = await generateCases(db, {
      seed,
      cases: preset.cases,
      organisations: preset.caseOrganisations,
      masterKey,
      onBatch: (done, r) => {
        // Progress about every 5 %, on stderr like the runner's own log.
        if (done < nextLog && done < preset.cases) return;
        nextLog = done + Math.max(batchSize, Math.floor(preset.cases / 20));
        const seconds = (performance.now() - started) / 1000;
        console.error(
          `  cases: ${done}/${preset.cases} (${Math.round((done / preset.cases) * 100)} %) in ${seconds.toFixed(1)} s, ` +
            `${((seconds * 1_000_000) / Math.max(1, done)).toFixed(0)} ms per 1,000; ${r.entries} entries, ` +
            `${r.consents} consents, ${r.lookups} lookups`,
        );
      },
    });
    return { rows: report.cases };
  },
};
