import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createOrganisation } from '../../test/factories.js';
import { matchingCall, matchingSessionIn, type MatchingSession } from '../../test/matching.js';
import type { LookupResult, Subject } from './matching.schemas.js';
import { canonicalSelectors, type SelectorInput } from './matching.selectors.js';

/**
 * Canary scan of the application's logs (nothing identifying goes into logs). Every selector type goes
 * through registrations and lookups — accepted, refused by validation, and as malformed JSON — and afterwards
 * no canary value, raw or in any normalised form, may appear in anything the server logged (at debug level,
 * everything the test app captures). All values are made up.
 */

const canary = {
  name: 'Zorvathine Quillbrecht Amsel',
  phone: '0715 839 204',
  badPhone: '0715 839 204 77',
  email: 'Kestrel.Quill+jobs@Example.ORG',
  weakEmail: 'Vesperine.Quillmoth@Example.NET',
  document: 'xq 7781-2390',
  // A valid IBAN (mod-97), made up for this test.
  iban: 'DE30 3704 0044 8317 5029 46',
  plate: 'KCZ 918W',
  organisation: 'Vantorrel Quillworth Placement Ltd',
  handle: 'https://t.me/Quillbrecht_Recruits',
  address: 'Mfangano Quillstreet 417, Flat 9B',
  title: 'Operation Quillbrecht-Canary-5521',
  // Only ever sent in requests that fail validation.
  bareName: 'Quillanthemum',
  extraField: 'Orvelline-Quillshade',
};

const everyType: SelectorInput[] = [
  { type: 'person', name: canary.name, birthYear: 1987, nationality: 'KE' },
  { type: 'phone', number: canary.phone, defaultCountry: 'KE' },
  { type: 'email', address: canary.email },
  { type: 'identity_document', number: canary.document, issuingCountry: 'KE' },
  { type: 'bank_account', account: canary.iban },
  { type: 'vehicle_plate', plate: canary.plate, country: 'KE' },
  { type: 'organisation_name', name: canary.organisation },
  { type: 'online_handle', handle: canary.handle },
  { type: 'address', address: canary.address, country: 'KE' },
];

/**
 * Every form a canary could take in a log: as typed, its canonical forms (the module's own normalisers),
 * their parts after a country or platform prefix, name words and phonetic codes, and digit runs. Lower-cased
 * (the scan is case-insensitive); forms under six characters are left out, as they can occur by chance in ids.
 */
function canaryForms(): string[] {
  const forms = new Set<string>(Object.values(canary));
  for (const input of everyType) {
    const result = canonicalSelectors(input);
    if (!result.ok) throw new Error(`canary ${input.type} does not normalise: ${result.code}`);
    for (const { canonical } of result.value.selectors)
      for (const part of [canonical, ...canonical.split('|')]) {
        forms.add(part);
        forms.add(part.replace(/^~/, ''));
        forms.add(part.replace(/^[A-Za-z]+:/, ''));
        for (const word of part.split(/[~\s]+/)) forms.add(word);
      }
    for (const word of result.value.name?.tokens ?? []) forms.add(word);
  }
  for (const value of [canary.phone, canary.badPhone, canary.iban, canary.plate, canary.document])
    forms.add(value.replace(/[\s-]/g, ''));
  forms.add('715839204');
  forms.add('254715839204');
  forms.add('71583920477');
  forms.add(canary.email.split('@')[0]!);
  forms.add(canary.weakEmail.split('@')[0]!);
  return [...forms].map((form) => form.toLowerCase()).filter((form) => form.length >= 6);
}

describe('matching: no selector reaches the application logs (canary scan)', () => {
  let t: TestApp;
  let screenerA: MatchingSession;
  let screenerB: MatchingSession;
  let adminB: MatchingSession;
  /** Requests sent, with the status each got. */
  const sent: { url: string; status: number }[] = [];

  async function send(
    session: MatchingSession,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
  ) {
    const response = await matchingCall(t, session, method, url, payload);
    sent.push({ url, status: response.statusCode });
    return response;
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CAIRN_RATE_LIMIT_MAX: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_PERSON: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '1000000',
      },
    });
    const orgA = (await createOrganisation(t.database.db)).id;
    const orgB = (await createOrganisation(t.database.db)).id;
    screenerA = await matchingSessionIn(t, orgA, 'investigator');
    screenerB = await matchingSessionIn(t, orgB, 'case_supervisor');
    adminB = await matchingSessionIn(t, orgB, 'org_admin');
  });
  afterAll(() => t.close());

  it('registers and looks up selectors of every type, accepted and refused', async () => {
    // Both organisations register the same selectors of every type: ten matches (a person meets by birth year
    // and by nationality), mailed to both.
    const registration = { kind: 'investigation', title: canary.title, selectors: everyType };
    const a = await send(screenerA, 'POST', '/api/matching/subjects', registration);
    expect(a.statusCode, a.body).toBe(201);
    const b = await send(screenerB, 'POST', '/api/matching/subjects', registration);
    expect(b.statusCode, b.body).toBe(201);
    expect(b.json<Subject>().matches).toBe(10);

    // Lookups: each strong selector alone, the weak ones together (two attributes or more).
    const strong = (selector: SelectorInput) =>
      ['phone', 'identity_document', 'bank_account'].includes(selector.type);
    for (const selector of everyType.filter(strong)) {
      const found = await send(screenerB, 'POST', '/api/matching/lookups', { selectors: [selector] });
      expect(found.statusCode, found.body).toBe(200);
      expect(found.json<LookupResult>().hits).toHaveLength(1);
    }
    const weakPairs = everyType.filter((selector) => !strong(selector));
    const pairs = await send(screenerA, 'POST', '/api/matching/lookups', { selectors: weakPairs });
    expect(pairs.statusCode, pairs.body).toBe(200);

    // Refused by the selector rules: a lone weak selector, a malformed phone, a bare first name.
    const refusals = [
      { selectors: [{ type: 'email', address: canary.weakEmail }] },
      { selectors: [{ type: 'address', address: canary.address, country: 'KE' }] },
      {
        selectors: [
          { type: 'phone', number: canary.badPhone, defaultCountry: 'KE' },
          { type: 'person', name: canary.bareName, birthYear: 1987 },
        ],
      },
      // Refused by the schema: an unknown field beside a good selector, a birth year that is text.
      { selectors: [{ type: 'phone', number: canary.phone, defaultCountry: 'KE', note: canary.extraField }] },
      { selectors: [{ type: 'person', name: canary.name, birthYear: canary.extraField }] },
    ];
    for (const body of refusals) {
      const refused = await send(screenerA, 'POST', '/api/matching/lookups', body);
      expect(refused.statusCode, refused.body).toBe(400);
    }
    const badRegistration = await send(screenerA, 'POST', '/api/matching/subjects', {
      kind: 'alert',
      title: canary.title,
      selectors: [{ type: 'phone', number: canary.badPhone, defaultCountry: 'KE' }],
    });
    expect(badRegistration.statusCode).toBe(400);

    // Malformed JSON carrying the canaries, cut off or with a bare word (a parser's message may quote it).
    const malformedBodies = [
      `{"title":"${canary.title}","selectors":[{"type":"phone","number":"${canary.phone}",` +
        `"defaultCountry":"KE"},{"type":"person","name":"${canary.name}"`,
      `{"selectors":[{"type":"person","name":${canary.name},"birthYear":1987},` +
        `{"type":"email","address":"${canary.email}"}]}`,
    ];
    for (const [url, payload] of ['/api/matching/lookups', '/api/matching/subjects'].flatMap((url) =>
      malformedBodies.map((body) => [url, body] as const),
    )) {
      const malformed = await t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: screenerA.cookie, 'content-type': 'application/json' },
        payload,
      });
      sent.push({ url, status: malformed.statusCode });
      expect(malformed.statusCode, malformed.body).toBe(400);
      expect(malformed.json<{ code: string }>().code).toBe('malformed_json');
    }

    // A type the organisation opted out of is refused; opting back in re-screens in the background.
    const out = await send(adminB, 'PUT', '/api/matching/participation', {
      types: [{ type: 'phone', enabled: false }],
    });
    expect(out.statusCode, out.body).toBe(200);
    const optedOut = await send(screenerB, 'POST', '/api/matching/lookups', {
      selectors: [everyType[1]],
    });
    expect(optedOut.statusCode).toBe(400);
    await send(adminB, 'PUT', '/api/matching/participation', { types: [{ type: 'phone', enabled: true }] });
    // The background work (overlap mails, the re-screening) logs too.
    await t.app.kernel.jobs.runDue();
    expect((await send(screenerB, 'GET', '/api/matching/matches')).statusCode).toBe(200);
    expect((await send(adminB, 'GET', '/api/matching/lookups')).statusCode).toBe(200);
  });

  it('logged every request, and no canary in any form', () => {
    const logs = t.logs;
    // The capture worked: each request left its lines, with its request id and its route, refusals included.
    const incoming = logs.filter((line) => (line.req as { url?: string } | undefined)?.url !== undefined);
    for (const url of ['/api/matching/lookups', '/api/matching/subjects', '/api/matching/participation'])
      expect(incoming.filter((line) => (line.req as { url: string }).url === url).length).toBe(
        sent.filter((request) => request.url === url).length,
      );
    expect(incoming.every((line) => typeof line.reqId === 'string' && line.reqId.length > 0)).toBe(true);
    const completed = logs.filter((line) => (line.res as { statusCode?: number } | undefined)?.statusCode);
    const statuses = completed.map((line) => (line.res as { statusCode: number }).statusCode);
    expect(statuses.filter((status) => status === 400).length).toBe(
      sent.filter((request) => request.status === 400).length,
    );
    expect(logs.some((line) => line.msg === 'matching re-screened')).toBe(true);
    // A line logged now is in the capture too (it is not buffered away).
    t.app.log.info({ probe: 'capture-sentinel-7731' }, 'canary scan');
    const text = t.rawLogs();
    expect(text).toContain('capture-sentinel-7731');

    const lower = text.toLowerCase();
    const forms = canaryForms();
    // The forms include the canonical ones the screening computes (a check that the helper did its work).
    expect(forms).toEqual(
      expect.arrayContaining([
        '+254715839204',
        'kestrel.quill+jobs@example.org',
        'ke:xq77812390',
        'iban:de30370400448317502946',
        'ke:kcz918w',
        'vantorrel quillworth placement',
        'telegram:quillbrecht_recruits',
        'ke:mfangano quillstreet 417 flat 9b',
        'amsel quillbrecht zorvathine',
        'klprkt',
      ]),
    );
    expect(forms.filter((form) => lower.includes(form))).toEqual([]);
  });
});
