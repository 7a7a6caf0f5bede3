import { and, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit, type AuditContext } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Db, Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { identityOrganisations } from '../identity/index.js';
import { placeById, regionName } from './directory.gazetteer.js';
import { canEditProfile, canRequestSupport, canSee, readerOf, type Reader } from './directory.policy.js';
import type { Profile, ProfileInput } from './directory.profiles.schemas.js';
import { directorySearchOf } from './directory.search.engine.js';
import { buildEntries, visibilityOf, writeEntries, type EntrySource } from './directory.search-entries.js';
import { directoryOffices, directoryPartners, directoryProfiles } from './directory.tables.js';
import { profileFields, staleAfterMonths, type ProfileField } from './directory.vocabulary.js';
import './directory.audit.js';

type ProfileRow = typeof directoryProfiles.$inferSelect;
type OfficeRow = typeof directoryOffices.$inferSelect;
type OrganisationRow = Pick<
  typeof identityOrganisations.$inferSelect,
  'id' | 'name' | 'type' | 'tier' | 'status' | 'countries' | 'createdAt'
>;

/** A profile as stored, with its organisation and offices; organisations without a profile get an empty one. */
export interface StoredProfile {
  organisation: OrganisationRow;
  profile: ProfileRow;
  offices: OfficeRow[];
}

const organisationColumns = {
  id: identityOrganisations.id,
  name: identityOrganisations.name,
  type: identityOrganisations.type,
  tier: identityOrganisations.tier,
  status: identityOrganisations.status,
  countries: identityOrganisations.countries,
  createdAt: identityOrganisations.createdAt,
};

/** The profile an organisation has before anyone edits it: its vetted countries, nothing else. */
function emptyProfile(organisation: OrganisationRow): ProfileRow {
  return {
    organisationId: organisation.id,
    otherNames: [],
    descriptions: [],
    focus: [],
    services: [],
    populations: [],
    exploitationTypes: [],
    industries: [],
    countries: organisation.countries,
    regions: [],
    languages: [],
    hotlines: [],
    networks: [],
    website: null,
    contacts: [],
    visibility: {},
    listed: true,
    hideExactLocation: false,
    updatedByPersonId: null,
    staleNudgedAt: null,
    createdAt: organisation.createdAt,
    updatedAt: organisation.createdAt,
  };
}

/** Loads the stored profiles of these organisations (any status). */
export async function loadProfiles(tx: Tx | Db, organisationIds: string[]): Promise<StoredProfile[]> {
  if (organisationIds.length === 0) return [];
  const rows = await tx
    .select({ organisation: organisationColumns, profile: directoryProfiles })
    .from(identityOrganisations)
    .leftJoin(directoryProfiles, eq(directoryProfiles.organisationId, identityOrganisations.id))
    .where(inArray(identityOrganisations.id, organisationIds));
  const offices = await tx
    .select()
    .from(directoryOffices)
    .where(inArray(directoryOffices.organisationId, organisationIds))
    .orderBy(directoryOffices.position, directoryOffices.createdAt, directoryOffices.id);
  return rows.map(({ organisation, profile }) => ({
    organisation,
    profile: profile ?? emptyProfile(organisation),
    offices: offices.filter((o) => o.organisationId === organisation.id),
  }));
}

/** What buildEntries needs, from a stored profile. */
export function entrySourceOf(stored: StoredProfile): EntrySource {
  const { organisation, profile } = stored;
  return {
    organisationId: organisation.id,
    name: organisation.name,
    type: organisation.type,
    active: organisation.status === 'active',
    tier: organisation.tier,
    otherNames: profile.otherNames,
    descriptions: profile.descriptions,
    focus: profile.focus,
    services: profile.services,
    populations: profile.populations,
    exploitationTypes: profile.exploitationTypes,
    industries: profile.industries,
    countries: profile.countries,
    regions: profile.regions,
    languages: profile.languages,
    networks: profile.networks,
    visibility: profile.visibility,
    listed: profile.listed,
    hideExactLocation: profile.hideExactLocation,
    offices: stored.offices,
    updatedAt: profile.updatedAt,
  };
}

/**
 * Rebuilds the search rows of these organisations inside the caller's transaction. Rows of organisations
 * that are not active (pending, rejected, suspended) are kept with `active = false` and never shown; the
 * trigger of migration 0006 flips the flag when vetting changes.
 */
export async function rebuildSearchEntries(tx: Tx, organisationIds: string[]): Promise<void> {
  const stored = await loadProfiles(tx, organisationIds);
  const rows = stored.flatMap((s) => buildEntries(entrySourceOf(s)));
  await writeEntries(tx, organisationIds, rows);
}

async function isPartnerOf(tx: Tx, organisationId: string, readerOrganisationId: string | null) {
  if (!readerOrganisationId) return false;
  const rows = await tx
    .select({ id: directoryPartners.organisationId })
    .from(directoryPartners)
    .where(
      and(
        eq(directoryPartners.organisationId, organisationId),
        eq(directoryPartners.partnerOrganisationId, readerOrganisationId),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

function isStale(updatedAt: Date, now = new Date()): boolean {
  const limit = new Date(now);
  limit.setUTCMonth(limit.getUTCMonth() - staleAfterMonths);
  return updatedAt < limit;
}

/**
 * SECURITY: what leaves the server of a profile, field by field, for one reader. A field the reader may not
 * see is left out; when the organisation hides its exact location, only its own people get coordinates,
 * streets, place names and office phones.
 */
export function presentProfile(ctx: Ctx, stored: StoredProfile, reader: Reader): Profile {
  const { organisation, profile } = stored;
  const visible = (field: ProfileField) => canSee(reader, visibilityOf(profile.visibility, field));
  const exact = !profile.hideExactLocation || reader === 'own';
  const out: Profile = {
    organisationId: organisation.id,
    name: organisation.name,
    type: organisation.type as Profile['type'],
    tier: (organisation.tier as Profile['tier']) ?? null,
    listed: profile.listed,
    hideExactLocation: profile.hideExactLocation,
    updatedAt: profile.updatedAt.toISOString(),
    stale: isStale(profile.updatedAt),
    abilities: {
      edit: canEditProfile(ctx.actor, organisation.id),
      requestSupport: canRequestSupport(ctx.actor) && reader !== 'own',
    },
  };
  if (visible('otherNames')) out.otherNames = profile.otherNames;
  if (visible('descriptions')) out.descriptions = profile.descriptions;
  if (visible('focus')) out.focus = profile.focus as Profile['focus'];
  if (visible('services')) out.services = profile.services as Profile['services'];
  if (visible('populations')) out.populations = profile.populations as Profile['populations'];
  if (visible('exploitationTypes'))
    out.exploitationTypes = profile.exploitationTypes as Profile['exploitationTypes'];
  if (visible('industries')) out.industries = profile.industries as Profile['industries'];
  if (visible('countries')) out.countries = profile.countries;
  if (visible('regions'))
    out.regions = profile.regions.map((code) => ({ code, name: regionName(code) ?? code }));
  if (visible('offices'))
    out.offices = stored.offices.map((o) => ({
      id: o.id,
      label: o.label,
      placeName: exact ? o.placeName : null,
      country: o.country,
      region: o.region,
      regionName: o.region ? regionName(o.region) : null,
      latitude: exact ? o.latitude : null,
      longitude: exact ? o.longitude : null,
      street: exact ? o.street : null,
      postalCode: exact ? o.postalCode : null,
      phone: exact ? o.phone : null,
      isMain: o.isMain,
    }));
  if (visible('languages')) out.languages = profile.languages;
  if (visible('hotlines')) out.hotlines = profile.hotlines as Profile['hotlines'];
  if (visible('networks')) out.networks = profile.networks;
  if (visible('website')) out.website = profile.website;
  if (visible('contacts')) out.contacts = profile.contacts;
  if (canEditProfile(ctx.actor, organisation.id))
    out.visibility = Object.fromEntries(profileFields.map((f) => [f, visibilityOf(profile.visibility, f)]));
  return out;
}

function actorOrganisation(ctx: Ctx): string | null {
  return ctx.actor.kind === 'person' && ctx.actor.level === 'full'
    ? (ctx.actor.membership?.organisationId ?? null)
    : null;
}

/** One organisation's profile as the caller may see it; organisations that are not active do not exist here. */
export async function getProfile(ctx: Ctx, organisationId: string): Promise<Profile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const [stored] = await loadProfiles(tx, [organisationId]);
    const own = actorOrganisation(ctx) === organisationId || canEditProfile(ctx.actor, organisationId);
    if (!stored || (stored.organisation.status !== 'active' && !own)) throw new AppError('not_found');
    const reader = readerOf(
      ctx.actor,
      organisationId,
      await isPartnerOf(tx, organisationId, actorOrganisation(ctx)),
    );
    // An unlisted profile is not in the public directory at all.
    if (reader === 'public' && !stored.profile.listed) throw new AppError('not_found');
    return presentProfile(ctx, stored, reader);
  });
}

/** Replaces an organisation's profile (its admins, or a platform admin), offices and search rows in one transaction. */
export async function saveProfile(ctx: Ctx, organisationId: string, input: ProfileInput): Promise<Profile> {
  if (!canEditProfile(ctx.actor, organisationId)) {
    throw new AppError(actorOrganisation(ctx) === organisationId ? 'forbidden' : 'not_found');
  }
  const personId = ctx.actor.kind === 'person' ? ctx.actor.personId : null;
  await inTransaction(ctx.kernel.database.db, (tx) =>
    storeProfile(tx, organisationId, input, { personId, audit: ctx.audit }),
  );
  // The editor's next search in this process shows the change (other processes: the database's notification).
  directorySearchOf(ctx.kernel).invalidate([organisationId]);
  return getProfile(ctx, organisationId);
}

/**
 * Writes a checked profile, its offices and its search rows, and audits the change, in the caller's
 * transaction (the profile editor, the importer, the demo seed and the tests all come through here).
 */
export async function storeProfile(
  tx: Tx,
  organisationId: string,
  input: ProfileInput,
  by: {
    personId: string | null;
    audit?: AuditContext;
    now?: Date;
    /**
     * False when the caller records the audit itself (the importer writes one event per organisation after all
     * rows, so the audit trail's lock is held for moments, not for the whole import).
     */
    record?: boolean;
  },
): Promise<void> {
  const offices = input.offices.map((office, index) => {
    const place = placeById(office.placeId);
    if (!place) {
      throw new AppError('validation_failed', {
        fields: [{ path: `body.offices.${index}.placeId`, code: 'directory.unknown_place' }],
      });
    }
    return { office: { ...office }, place };
  });
  if (offices.length > 0 && !offices.some((o) => o.office.isMain)) offices[0]!.office.isMain = true;
  const [org] = await tx
    .select({ id: identityOrganisations.id })
    .from(identityOrganisations)
    .where(eq(identityOrganisations.id, organisationId))
    .for('update');
  if (!org) throw new AppError('not_found');
  const now = by.now ?? new Date();
  const values = {
    otherNames: input.otherNames,
    descriptions: input.descriptions,
    focus: input.focus,
    services: input.services,
    populations: input.populations,
    exploitationTypes: input.exploitationTypes,
    industries: input.industries,
    countries: input.countries,
    regions: input.regions,
    languages: input.languages,
    hotlines: input.hotlines,
    networks: input.networks,
    website: input.website,
    contacts: input.contacts,
    visibility: Object.fromEntries(Object.entries(input.visibility).filter(([, v]) => v !== undefined)),
    listed: input.listed,
    hideExactLocation: input.hideExactLocation,
    updatedByPersonId: by.personId,
    staleNudgedAt: null,
    updatedAt: now,
  };
  await tx
    .insert(directoryProfiles)
    .values({ organisationId, ...values })
    .onConflictDoUpdate({ target: directoryProfiles.organisationId, set: values });
  await tx.delete(directoryOffices).where(eq(directoryOffices.organisationId, organisationId));
  if (offices.length > 0) {
    await tx.insert(directoryOffices).values(
      offices.map(({ office, place }, position) => ({
        organisationId,
        position,
        label: office.label,
        placeName: place.name,
        country: place.country,
        region: place.region,
        latitude: place.latitude,
        longitude: place.longitude,
        street: office.street,
        postalCode: office.postalCode,
        phone: office.phone,
        isMain: office.isMain,
      })),
    );
  }
  await rebuildSearchEntries(tx, [organisationId]);
  if (by.record === false) return;
  await recordAudit(
    tx,
    {
      action: 'directory.profile_updated',
      objectType: 'organisation',
      objectId: organisationId,
      organisationId,
      details: { offices: offices.length, listed: input.listed, hideExactLocation: input.hideExactLocation },
    },
    by.audit,
  );
}

/** The organisations this one lists as partners (its admins only). */
export async function getPartners(ctx: Ctx, organisationId: string): Promise<{ organisationIds: string[] }> {
  if (!canEditProfile(ctx.actor, organisationId)) {
    throw new AppError(actorOrganisation(ctx) === organisationId ? 'forbidden' : 'not_found');
  }
  const rows = await ctx.kernel.database.db
    .select({ id: directoryPartners.partnerOrganisationId })
    .from(directoryPartners)
    .where(eq(directoryPartners.organisationId, organisationId))
    .orderBy(directoryPartners.createdAt);
  return { organisationIds: rows.map((r) => r.id) };
}

/** Replaces the partner list: partners see the fields this organisation shows to partners only. */
export async function setPartners(
  ctx: Ctx,
  organisationId: string,
  partnerIds: string[],
): Promise<{ organisationIds: string[] }> {
  if (!canEditProfile(ctx.actor, organisationId)) {
    throw new AppError(actorOrganisation(ctx) === organisationId ? 'forbidden' : 'not_found');
  }
  const wanted = [...new Set(partnerIds)].filter((id) => id !== organisationId);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    const known = wanted.length
      ? await tx
          .select({ id: identityOrganisations.id })
          .from(identityOrganisations)
          .where(and(inArray(identityOrganisations.id, wanted), eq(identityOrganisations.status, 'active')))
      : [];
    const knownIds = new Set(known.map((k) => k.id));
    const unknown = wanted.findIndex((id) => !knownIds.has(id));
    if (unknown >= 0) {
      throw new AppError('validation_failed', {
        fields: [{ path: `body.organisationIds.${unknown}`, code: 'directory.unknown_organisation' }],
      });
    }
    // A partner list needs a profile row to hang on.
    await tx.insert(directoryProfiles).values({ organisationId }).onConflictDoNothing();
    await tx.delete(directoryPartners).where(eq(directoryPartners.organisationId, organisationId));
    if (wanted.length)
      await tx
        .insert(directoryPartners)
        .values(wanted.map((id) => ({ organisationId, partnerOrganisationId: id })));
    await recordAudit(
      tx,
      {
        action: 'directory.partners_changed',
        objectType: 'organisation',
        objectId: organisationId,
        organisationId,
        details: { count: wanted.length },
      },
      ctx.audit,
    );
  });
  return { organisationIds: wanted };
}

/** Profiles not updated for six months and not nudged since: their admins get a reminder. */
export async function staleProfiles(tx: Tx, now: Date): Promise<string[]> {
  const limit = new Date(now);
  limit.setUTCMonth(limit.getUTCMonth() - staleAfterMonths);
  const rows = await tx
    .select({ id: directoryProfiles.organisationId })
    .from(directoryProfiles)
    .innerJoin(identityOrganisations, eq(identityOrganisations.id, directoryProfiles.organisationId))
    .where(
      and(
        eq(identityOrganisations.status, 'active'),
        sql`${directoryProfiles.updatedAt} < ${limit.toISOString()}::timestamptz`,
        sql`(${directoryProfiles.staleNudgedAt} is null or ${directoryProfiles.staleNudgedAt} < ${limit.toISOString()}::timestamptz)`,
      ),
    )
    .limit(500);
  return rows.map((r) => r.id);
}
