import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createProfile } from '../../test/directory.js';
import { searchPlaces } from './directory.gazetteer.js';
import {
  impliedPopulations,
  matchOrganisations,
  rankCandidates,
  scoreCandidate,
  type Candidate,
  type MatchNeed,
} from './directory.matcher.js';

const place = (name: string, country: string) => searchPlaces(name, { country })[0]!;

describe('the matcher’s scoring (pure)', () => {
  const mombasa = place('Mombasa', 'KE');
  const need: MatchNeed = {
    country: 'KE',
    region: mombasa.region,
    point: mombasa,
    services: ['shelter', 'psychosocial'],
    populations: [],
    gender: 'female',
    ageBand: '12_17',
    languages: ['sw'],
    exploitationTypes: ['SexualExploitation'],
  };
  const candidate = (tags: string[], extra: Partial<Candidate> = {}): Candidate => ({
    organisationId: '00000000-0000-4000-8000-000000000001',
    name: 'Candidate',
    type: 'ngo',
    tier: 'verified_frontline',
    tags,
    latitude: mombasa.latitude,
    longitude: mombasa.longitude,
    ...extra,
  });
  const everything = [
    'service:shelter',
    'service:psychosocial',
    'population:girls',
    'language:sw',
    'country:KE',
    `region:${mombasa.region}`,
    'exploitation:SexualExploitation',
  ];

  it('derives the populations a gender and age band fall into', () => {
    expect(impliedPopulations('female', '12_17')).toEqual(['children_12_17', 'girls']);
    expect(impliedPopulations('male', '0_5')).toEqual(['children_0_5', 'boys']);
    expect(impliedPopulations('male', '25_59')).toEqual(['men']);
    expect(impliedPopulations('female', '18_24')).toEqual(['young_adults_18_24', 'women']);
    expect(impliedPopulations('non_binary', '25_59')).toEqual(['lgbtqi']);
    expect(impliedPopulations('unspecified', 'unknown')).toEqual([]);
  });

  it('gives a full fit 100 and says why, part by part', () => {
    const match = scoreCandidate(need, candidate(everything));
    expect(match.score).toBe(100);
    expect(match.reasons).toEqual([
      'offers_all_services',
      'serves_population',
      'speaks_language:sw',
      'within_km:1',
      'works_in_region',
      'verified_frontline',
      'works_on_exploitation:SexualExploitation',
    ]);
    expect(match.services).toEqual(['shelter', 'psychosocial']);
  });

  it('counts a population for children by age band as fitting a girl, and names partial fits', () => {
    const byBand = scoreCandidate(
      need,
      candidate(everything.map((t) => (t === 'population:girls' ? 'population:children_12_17' : t))),
    );
    expect(byBand.reasons).toContain('serves_population');
    const partial = scoreCandidate(
      { ...need, populations: ['migrant_workers'] },
      candidate(['service:shelter', 'population:girls', 'country:KE'], { tier: 'verified', latitude: null }),
    );
    expect(partial.reasons).toEqual([
      'offers_some_services:1/2',
      'serves_some_populations:1/2',
      'works_in_country',
      'verified',
    ]);
    expect(partial.distanceKm).toBeNull();
    expect(partial.score).toBeLessThan(byBand.score);
  });

  it('leaves out of the total what the need does not ask about', () => {
    const plain: MatchNeed = {
      ...need,
      languages: [],
      exploitationTypes: [],
      gender: 'unspecified',
      ageBand: 'unknown',
    };
    expect(scoreCandidate(plain, candidate(everything)).score).toBe(100);
  });

  it('drops candidates offering none of the services, and breaks ties by distance', () => {
    const near = candidate(['service:shelter'], { organisationId: 'a', name: 'Near' });
    const far = candidate(['service:shelter'], {
      organisationId: 'b',
      name: 'Far',
      latitude: mombasa.latitude + 0.3,
    });
    const none = candidate(['service:legal_aid'], { organisationId: 'c', name: 'None' });
    const ranked = rankCandidates(need, [far, none, near], 10);
    expect(ranked.map((m) => m.name)).toEqual(['Near', 'Far']);
  });
});

describe('the matcher against stored profiles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  const mombasa = place('Mombasa', 'KE');
  const kisumu = place('Kisumu', 'KE');
  const need: MatchNeed = {
    country: 'KE',
    region: mombasa.region,
    point: mombasa,
    services: ['shelter', 'psychosocial'],
    populations: [],
    gender: 'female',
    ageBand: '12_17',
    languages: ['sw'],
    exploitationTypes: [],
  };

  async function org(
    name: string,
    profile: Record<string, unknown>,
    options: { tier?: 'verified' | 'verified_frontline' | null; status?: 'active' | 'suspended' } = {},
  ) {
    const { organisationId } = await createProfile(db(), {
      organisation: {
        name,
        countries: ['KE'],
        tier: options.tier === undefined ? 'verified_frontline' : options.tier,
        status: options.status,
      },
      profile: {
        services: ['shelter', 'psychosocial'],
        populations: ['girls'],
        languages: ['sw', 'en'],
        offices: [{ label: 'Main office', placeId: mombasa.id }],
        ...profile,
      },
    });
    return organisationId;
  }

  it('ranks by fit: services, population, language, distance and tier; never the requester or the inactive', async () => {
    const perfect = await org('Perfect fit', {});
    const unvetted = await org('Perfect but unvetted', {}, { tier: null });
    const far = await org('Same, far away in Kisumu', { offices: [{ label: 'Main', placeId: kisumu.id }] });
    const boysOnly = await org('Boys only', { populations: ['boys'] });
    const noSwahili = await org('No Swahili', { languages: ['en'] });
    const halfServices = await org('Shelter only', { services: ['shelter'] });
    const noService = await org('Legal aid only', { services: ['legal_aid'] });
    const suspended = await org('Suspended', {}, { status: 'suspended' });
    const requester = await org('The requester itself', {});

    const ours = new Set([
      perfect,
      unvetted,
      far,
      boysOnly,
      noSwahili,
      halfServices,
      noService,
      suspended,
      requester,
    ]);
    const matches = (
      await matchOrganisations(db(), need, { excludeOrganisationId: requester, limit: 50 })
    ).filter((m) => ours.has(m.organisationId));
    const order = matches.map((m) => m.organisationId);

    expect(order[0]).toBe(perfect);
    expect(matches[0]!.score).toBe(100);
    expect(order).not.toContain(noService);
    expect(order).not.toContain(suspended);
    expect(order).not.toContain(requester);
    // Every weaker candidate comes after the perfect one, and the stronger partial fits first.
    const rank = (id: string) => order.indexOf(id);
    expect(rank(unvetted)).toBe(1);
    expect(rank(noSwahili)).toBeLessThan(rank(boysOnly));
    expect(rank(far)).toBeGreaterThan(rank(unvetted));
    expect(rank(halfServices)).toBeGreaterThan(rank(unvetted));
    expect(order).toHaveLength(6);

    const byId = new Map(matches.map((m) => [m.organisationId, m]));
    expect(byId.get(far)!.reasons).toEqual(
      expect.arrayContaining(['works_in_country', expect.stringMatching(/^within_km:7\d\d$/)]),
    );
    expect(byId.get(far)!.distanceKm).toBeGreaterThan(600);
    expect(byId.get(halfServices)!.reasons).toContain('offers_some_services:1/2');
    expect(byId.get(boysOnly)!.reasons).not.toContain('serves_population');
    expect(byId.get(unvetted)!.reasons).not.toContain('verified');
  });

  it('finds organisations that work in the country without an office, and nearby ones across a border', async () => {
    const busia = place('Busia', 'KE');
    const tororo = place('Tororo', 'UG');
    const countryOnly = (
      await createProfile(db(), {
        organisation: { name: 'Works across Kenya', countries: ['KE'] },
        profile: { services: ['family_tracing'] },
      })
    ).organisationId;
    const acrossBorder = (
      await createProfile(db(), {
        organisation: { name: 'Just across the border', countries: ['UG'] },
        profile: { services: ['family_tracing'], offices: [{ label: 'Main', placeId: tororo.id }] },
      })
    ).organisationId;
    const farAway = (
      await createProfile(db(), {
        organisation: { name: 'Far away in Nepal', countries: ['NP'] },
        profile: { services: ['family_tracing'] },
      })
    ).organisationId;
    const borderNeed: MatchNeed = {
      ...need,
      region: busia.region,
      point: busia,
      services: ['family_tracing'],
    };
    const matches = await matchOrganisations(db(), borderNeed, { excludeOrganisationId: null, limit: 50 });
    const ids = matches.map((m) => m.organisationId);
    expect(ids).toContain(countryOnly);
    expect(ids).toContain(acrossBorder);
    expect(ids).not.toContain(farAway);
    const across = matches.find((m) => m.organisationId === acrossBorder)!;
    expect(across.distanceKm).toBeLessThan(60);
    expect(across.reasons).not.toContain('works_in_country');
    expect(matches.find((m) => m.organisationId === countryOnly)!.reasons).toContain('works_in_country');
  });
});
