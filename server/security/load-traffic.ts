import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Rng } from '../../bench/scale/prng.js';
import { traffickingEventTypes, supportPlanTypes } from '../modules/cases/cases.vocabulary.js';
import { countrySpecs } from '../modules/directory/directory.synthetic.text.js';
import {
  ageBands,
  exploitationTypes,
  genders as needGenders,
  services,
  urgencies,
} from '../modules/directory/directory.vocabulary.js';
import { sessionCookie } from '../modules/identity/identity.sessions.js';
import { SoftwareAuthenticator } from '../test/authenticator.js';

/**
 * The traffic of the load suite (server/security/load.security.ts): virtual users of several kinds, each with
 * its own client address and (when signed in) its own session, doing what such a person does in Cairn with a
 * think time between actions, and a recorder that times every answer and judges it. Well-behaved users must
 * get exactly the statuses their actions call for; greedy users deliberately exceed a rate limit and must get
 * 429 problem+json for it (the only intended errors).
 */

export const userClasses = [
  'visitor',
  'member',
  'caseworker',
  'supervisor',
  'org_admin',
  'greedy_visitor',
  'greedy_caseworker',
] as const;
export type UserClass = (typeof userClasses)[number];

/** Greedy users ignore rate limits on purpose; they are the only ones allowed a 429. */
export const isGreedy = (kind: UserClass): boolean => kind.startsWith('greedy_');

/** A signed-in user's account and session. */
export interface Account {
  email: string;
  password: string;
  personId: string;
  organisationId: string;
  membershipId: string;
  /** The session cookie header value (`__Host-cairn_session=…`); replaced when Cairn rotates the token. */
  cookie: string;
  /** Case staff hold a software passkey registered through the API, used for step-ups. */
  authenticator: SoftwareAuthenticator | null;
  /** When the last step-up passed (ms since the epoch), 0 for never. */
  steppedUpAt: number;
}

/** A case a caseworker or supervisor knows of (from creating it or from a list). */
export interface KnownCase {
  id: string;
  /** Follow-up entries this caseworker added and has not marked done yet. */
  openFollowUps: string[];
  /** Active consents this caseworker recorded. */
  consents: string[];
}

/** One virtual user. */
export interface LoadUser {
  index: number;
  kind: UserClass;
  /** The client address Cairn sees (X-Forwarded-For behind a trusted proxy). */
  address: string;
  language: string;
  rng: Rng;
  account: Account | null;
  cases: KnownCase[];
  /** Organisation ids of the last directory search's hits, for opening a profile from the results. */
  lastHits: string[];
  /** Per-user caps that keep well-behaved users far inside the product's own daily and per-minute limits. */
  messagesSent: number;
  invitationsSent: number;
  lastSupportRequestAt: number;
  /** Unread messages seen in the inbox, to mark read. */
  unread: string[];
  /** The web app's assets are in this user's browser cache. */
  assetsCached: boolean;
  /** Cases this caseworker asked to close: left alone from then on. */
  closed: string[];
  /** The one supervisor of each organisation who decides closures (two deciding one case would race). */
  approver: boolean;
}

/** What all users share: the server, the organisations of the run, what searches found. */
export interface World {
  baseUrl: string;
  /** The organisations the suite made (consents for referral name one of them). */
  organisationIds: string[];
  /**
   * Directory profiles seen in search results (bounded), by who searched: visitors see listed profiles only,
   * members also unlisted ones, which do not exist for visitors (404).
   */
  profileIds: { public: string[]; members: string[] };
  /** Published professionals seen in people search (bounded). */
  personIds: string[];
  searchPaths: string[];
  mapPaths: string[];
  /** The web app's entry page and the assets it loads, when the web app is built; else null. */
  page: { paths: string[]; assets: string[] } | null;
}

// ---------------------------------------------------------------------------------------------------------
// Recording
// ---------------------------------------------------------------------------------------------------------

/** A write that was acknowledged (2xx), to check afterwards that it is stored exactly once. */
export interface AcknowledgedWrite {
  kind: 'case' | 'entry' | 'consent';
  id: string;
  caseId: string;
}

/** Counts and timings of a run, kept small: a list of latencies per operation and counters. */
export class Recorder {
  /** Latencies (ms) of well-behaved users' requests, by operation. */
  readonly latencies = new Map<string, number[]>();
  /** Latencies of well-behaved users' requests per 30 seconds of the run, to see when slow answers came. */
  readonly latenciesPerHalfMinute: number[][] = [];
  /** Latencies of the greedy users' requests (429s answer fast and would flatter the others' figures). */
  readonly greedyLatencies: number[] = [];
  /** Status counts per user class ("0" for no answer). */
  readonly statuses = new Map<UserClass, Map<string, number>>();
  /** Answers that broke the expectations, with a short description each (first ones kept). */
  readonly unexpected: string[] = [];
  unexpectedCount = 0;
  /** Unexpected answers by class, operation and status, e.g. "caseworker getCaseFile 404". */
  readonly unexpectedByKind = new Map<string, number>();
  /** 429s to greedy users that were proper problem+json with a retry hint. */
  intended429 = 0;
  /** Replays of idempotent writes: sent, and answered with the stored answer. */
  replaysSent = 0;
  replaysConfirmed = 0;
  stepUps = 0;
  signIns = 0;
  readonly writes: AcknowledgedWrite[] = [];
  /** Requests started per 10-second window since `startedAt`. */
  readonly perWindow: number[] = [];
  startedAt = 0;
  /** When each user last got an answer, to tell how many were really active. */
  readonly lastAnswerAt = new Map<number, number>();
  /** Requests in flight now, and the most ever in flight at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Set once the load ends: late answers still count, new actions stop. */
  stopping = false;

  /** Counts an answer's status (0: no answer) for a user class. */
  count(kind: UserClass, status: number): void {
    let byStatus = this.statuses.get(kind);
    if (!byStatus) this.statuses.set(kind, (byStatus = new Map<string, number>()));
    const key = String(status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }

  /** Records an answer that broke its expectation. */
  fail(user: LoadUser, op: string, status: number, detail: string): void {
    this.unexpectedCount++;
    const key = `${user.kind} ${op} ${status === 0 ? 'no answer' : status}`;
    this.unexpectedByKind.set(key, (this.unexpectedByKind.get(key) ?? 0) + 1);
    if (this.unexpected.length < 40) {
      const at = ((performance.now() - this.startedAt) / 1000).toFixed(1);
      this.unexpected.push(`+${at}s user ${user.index} (${user.kind}) ${op}: ${detail}`);
    }
  }

  /** Records a request's latency, apart for greedy users. */
  time(user: LoadUser, op: string, elapsed: number): void {
    if (isGreedy(user.kind)) {
      this.greedyLatencies.push(elapsed);
      return;
    }
    const window = Math.floor((performance.now() - this.startedAt) / 30_000);
    while (this.latenciesPerHalfMinute.length <= window) this.latenciesPerHalfMinute.push([]);
    this.latenciesPerHalfMinute[window]!.push(elapsed);
    let list = this.latencies.get(op);
    if (!list) this.latencies.set(op, (list = []));
    list.push(elapsed);
  }

  /** Counts a request started in its 10-second window. */
  started(): void {
    const window = Math.floor((performance.now() - this.startedAt) / 10_000);
    while (this.perWindow.length <= window) this.perWindow.push(0);
    this.perWindow[window]!++;
  }

  /** Requests of one class with one status. */
  statusCount(kind: UserClass, status: number): number {
    return this.statuses.get(kind)?.get(String(status)) ?? 0;
  }

  /** Every request of every class. */
  total(): number {
    let n = 0;
    for (const byStatus of this.statuses.values()) for (const c of byStatus.values()) n += c;
    return n;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------

/** One HTTP request of a user, and what its answer must be. */
export interface Call {
  /** The operation's name in the report (the OpenAPI operationId, or "page"/"asset" for the web app). */
  op: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  idempotencyKey?: string;
  /** The status a well-behaved request must get (default 200). */
  expect?: number;
  /** A check of the parsed body of an expected answer: a reason it is wrong, or null. */
  check?: (json: unknown) => string | null;
  /** A web page or asset rather than an API answer (not parsed as JSON). */
  raw?: boolean;
  /** Added to a failure's description (never anything from a case). */
  note?: string;
}

/** An answer that met its expectation. */
export interface Answer {
  status: number;
  json: unknown;
  headers: Headers;
}

const requestTimeoutMs = 30_000;

/** The session cookie a response sets: the new header value, '' when cleared, undefined when untouched. */
export function sessionFromSetCookie(headers: Headers): string | undefined {
  for (const line of headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq < 0 || pair!.slice(0, eq).trim() !== sessionCookie) continue;
    const value = pair!.slice(eq + 1).trim();
    const cleared =
      value === '' ||
      attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) ||
      attributes.some((a) => {
        const m = /^\s*expires\s*=(.*)$/i.exec(a);
        return m !== null && Date.parse(m[1]!.trim()) <= Date.now();
      });
    return cleared ? '' : `${sessionCookie}=${value}`;
  }
  return undefined;
}

/** Why a 429 is not the product's rate-limit answer (problem+json, code rate_limited, a retry hint), or null. */
export function badRateLimitAnswer(headers: Headers, text: string): string | null {
  const type = headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) return `429 sent as "${type}"`;
  let body: { code?: unknown; status?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return '429 body is not JSON';
  }
  if (body.code !== 'rate_limited') return `429 with code ${String(body.code)}`;
  if (body.status !== 429) return `429 whose problem says status ${String(body.status)}`;
  const retryAfter = Number(headers.get('retry-after'));
  if (!Number.isFinite(retryAfter) || retryAfter <= 0) return '429 without a Retry-After';
  return null;
}

/**
 * Sends one request as the user, times it to the last byte, and judges the answer. Returns the answer when
 * it is the expected one, null otherwise (the caller then skips what depended on it). A greedy user's 429 is
 * counted as intended once it is checked to be proper problem+json; anything else unexpected is recorded.
 */
export async function send(
  world: World,
  recorder: Recorder,
  user: LoadUser,
  call: Call,
): Promise<Answer | null> {
  const headers: Record<string, string> = {
    'x-forwarded-for': user.address,
    'accept-language': user.language,
    'user-agent': `cairn-load-suite (${user.kind})`,
  };
  if (user.account?.cookie) headers.cookie = user.account.cookie;
  if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
  let body: string | undefined;
  if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.body);
  }
  const expected = call.expect ?? 200;
  recorder.started();
  recorder.inFlight++;
  recorder.maxInFlight = Math.max(recorder.maxInFlight, recorder.inFlight);
  const begun = performance.now();
  let status = 0;
  let text = '';
  let responseHeaders = new Headers();
  try {
    const response = await fetch(world.baseUrl + call.path, {
      method: call.method ?? 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    status = response.status;
    responseHeaders = response.headers;
    text = await response.text();
  } catch (error) {
    status = 0;
    text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    recorder.inFlight--;
  }
  const elapsed = performance.now() - begun;
  recorder.time(user, call.op, elapsed);
  recorder.count(user.kind, status);
  recorder.lastAnswerAt.set(user.index, performance.now());
  if (status !== 0 && user.account) {
    const cookie = sessionFromSetCookie(responseHeaders);
    if (cookie !== undefined) user.account.cookie = cookie;
  }

  if (status === 429 && isGreedy(user.kind)) {
    const wrong = badRateLimitAnswer(responseHeaders, text);
    if (wrong) recorder.fail(user, call.op, status, wrong);
    else recorder.intended429++;
    return null;
  }
  if (status !== expected) {
    recorder.fail(user, call.op, status, describe(call, status, responseHeaders, text));
    return null;
  }
  if (call.raw) return { status, json: null, headers: responseHeaders };
  let json: unknown = null;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      recorder.fail(user, call.op, status, `${status} answer is not JSON`);
      return null;
    }
  }
  const wrong = call.check?.(json) ?? null;
  if (wrong) {
    recorder.fail(user, call.op, status, `${status} but ${wrong}`);
    return null;
  }
  return { status, json, headers: responseHeaders };
}

/**
 * A failure in words: the method and the path's shape (ids replaced, so nothing a case holds is printed),
 * what was expected, and the problem's code (problem bodies carry no record data).
 */
function describe(call: Call, status: number, headers: Headers, text: string): string {
  const shape = call.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\?.*$/, '?…');
  const what = `${call.method ?? 'GET'} ${shape}`;
  if (status === 0) return `${what}: no answer (${text.slice(0, 120)})`;
  const type = headers.get('content-type') ?? '';
  let code = '';
  if (type.startsWith('application/problem+json')) {
    try {
      const problem = JSON.parse(text) as { code?: string; errors?: { path?: string; code?: string }[] };
      code = ` ${problem.code ?? '?'}`;
      if (problem.errors?.length)
        code += ` [${problem.errors.map((e) => `${e.path ?? ''}:${e.code ?? ''}`).join(', ')}]`;
    } catch {
      code = ' (problem body not JSON)';
    }
  } else if (status >= 400) {
    code = ` as "${type}"`;
  }
  return `${what}: ${status}${code}, expected ${call.expect ?? 200}${call.note ? ` (${call.note})` : ''}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------
// What people do
// ---------------------------------------------------------------------------------------------------------

type Action = (user: LoadUser) => Promise<unknown>;

function pickWeighted(rng: Rng, actions: readonly (readonly [number, Action])[]): Action {
  const total = actions.reduce((sum, [w]) => sum + w, 0);
  let roll = rng.float() * total;
  for (const [weight, action] of actions) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return actions[actions.length - 1]![1];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const itemsOf = (json: unknown): Record<string, unknown>[] =>
  isObject(json) && Array.isArray(json.items) ? (json.items as Record<string, unknown>[]) : [];

const isList = (json: unknown) => (Array.isArray(json) ? null : 'not a list');

const hasItems = (json: unknown) => (isObject(json) && Array.isArray(json.items) ? null : 'no items list');

/** Adds to a bounded list of ids (a ring: the newest replace the oldest), without duplicates. */
function remember(list: string[], ids: readonly string[], max = 2_000): void {
  for (const id of ids) {
    if (list.includes(id)) continue;
    if (list.length >= max) list.shift();
    list.push(id);
  }
}

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

const citySpecs = countrySpecs.flatMap((c) =>
  c.cities.map((city) => ({ code: c.code, city: city.split('@')[0]! })),
);
const countryCodes = countrySpecs.map((c) => c.code);
const personQueries = [
  'a',
  'an',
  'officer',
  'coordinator',
  'legal',
  'case',
  'shelter',
  'outreach',
  'maria',
  'john',
];
const jobTitles = [
  'Outreach coordinator',
  'Legal officer',
  'Shelter manager',
  'Programme officer',
  'Counsellor',
];

/**
 * What people type in the directory's search box, in the languages its profiles are written in (names,
 * services, places), with a few typos the trigram match forgives.
 */
const typedTerms = [
  'shelter',
  'legal aid',
  'counselling',
  'helpline',
  'medical',
  'reintegration',
  'training',
  'survivors',
  'outreach',
  'hébergement',
  'juridique',
  'accompagnement',
  'albergue',
  'asesoría jurídica',
  'sobrevivientes',
  'acolhimento',
  'makazi',
  'rumah aman',
  'hope',
  'foundation',
  'fondation',
  'esperanza',
  'sheltr',
  'leagl aid',
  'helpine',
];

/**
 * Mixed directory searches: typed words (alone, or with a country and a service as the filters narrow
 * them), facet-only searches, other sorts and second pages.
 */
export function makeSearchPaths(rng: Rng, count: number): string[] {
  const paths = new Set<string>();
  for (let attempts = 0; paths.size < count && attempts < count * 10; attempts++) {
    const query = new URLSearchParams();
    if (rng.chance(0.7)) query.set('q', rng.pick(typedTerms));
    if (!query.has('q') || rng.chance(0.6)) query.append('service', rng.pick(services));
    if (rng.chance(0.6)) query.append('country', rng.pick(countryCodes));
    if (rng.chance(0.2)) query.append('exploitation', rng.pick(exploitationTypes));
    if (rng.chance(0.2)) query.set('sort', 'name');
    if (rng.chance(0.15)) query.set('page', '2');
    paths.add(`/api/directory/search?${query.toString()}`);
  }
  return [...paths];
}

/** Map counts by country and by region, with and without filters. */
export function makeMapPaths(rng: Rng, count: number): string[] {
  const paths = new Set<string>(['/api/directory/map']);
  for (let attempts = 0; paths.size < count && attempts < count * 10; attempts++) {
    const query = new URLSearchParams();
    if (rng.chance(0.7)) query.append('service', rng.pick(services));
    if (rng.chance(0.3)) query.append('exploitation', rng.pick(exploitationTypes));
    if (rng.chance(0.3)) {
      query.set('level', 'region');
      query.set('within', rng.pick(countryCodes));
    }
    paths.add(`/api/directory/map?${query.toString()}`);
  }
  return [...paths];
}

/** The paths of the assets an HTML page loads (scripts, module preloads, stylesheets, icons). */
export function assetsOfPage(html: string): string[] {
  const found = new Set<string>();
  for (const match of html.matchAll(/\s(?:src|href)="(\/[^"]+)"/g)) {
    const path = match[1]!;
    if (/\.(js|css|svg|woff2?|png|ico)$/.test(path)) found.add(path);
  }
  return [...found];
}

/**
 * Loads a page of the web app as a browser does: the HTML, then on the first visit its assets at once (they
 * are immutable and cached for a year, so later visits fetch the HTML only).
 */
async function loadPage(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  if (!world.page) return;
  const path = user.rng.pick(world.page.paths);
  const page = await send(world, recorder, user, { op: 'page', path, raw: true });
  if (!page || user.assetsCached) return;
  await Promise.all(
    world.page.assets.map((asset) => send(world, recorder, user, { op: 'asset', path: asset, raw: true })),
  );
  user.assetsCached = true;
}

/** The visitor leaves and someone new arrives at the same address: an empty cache, the web app loaded again. */
function newVisitor(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  user.assetsCached = false;
  user.lastHits = [];
  return loadPage(world, recorder, user);
}

async function search(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const answer = await send(world, recorder, user, {
    op: 'searchDirectory',
    path: user.rng.pick(world.searchPaths),
    check: hasItems,
  });
  if (!answer) return;
  user.lastHits = itemsOf(answer.json).map((hit) => String(hit.organisationId));
  remember(world.profileIds[user.account ? 'members' : 'public'], user.lastHits);
}

async function openProfile(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const seen = world.profileIds[user.account ? 'members' : 'public'];
  const from = user.lastHits.length > 0 && user.rng.chance(0.7) ? user.lastHits : seen;
  if (from.length === 0) return search(world, recorder, user);
  const id = user.rng.pick(from);
  await send(world, recorder, user, {
    op: 'getProfile',
    path: `/api/directory/organisations/${id}`,
    check: (json) => (isObject(json) && json.organisationId === id ? null : 'another profile'),
    // Organisation ids are public (they are in the directory's URLs): named so a failure can be looked up.
    note: `organisation ${id}`,
  });
}

const map = (world: World, recorder: Recorder, user: LoadUser) =>
  send(world, recorder, user, { op: 'directoryMap', path: user.rng.pick(world.mapPaths) });

function places(world: World, recorder: Recorder, user: LoadUser) {
  const { city, code } = user.rng.pick(citySpecs);
  const typed = city.slice(0, Math.min(city.length, user.rng.int(3, 6)));
  const query = new URLSearchParams({ q: typed });
  if (user.rng.chance(0.5)) query.set('country', code);
  return send(world, recorder, user, {
    op: 'searchPlaces',
    path: `/api/directory/places?${query.toString()}`,
  });
}

const regions = (world: World, recorder: Recorder, user: LoadUser) =>
  send(world, recorder, user, {
    op: 'listRegions',
    path: `/api/directory/regions?country=${user.rng.pick(countryCodes)}`,
  });

const health = (world: World, recorder: Recorder, user: LoadUser) =>
  send(world, recorder, user, { op: 'getHealth', path: '/api/health' });

const me = (world: World, recorder: Recorder, user: LoadUser) =>
  send(world, recorder, user, {
    op: 'getMe',
    path: '/api/auth/me',
    check: (json) =>
      isObject(json) && JSON.stringify(json).includes(user.account!.personId) ? null : 'someone else',
  });

async function searchPeople(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const query = new URLSearchParams();
  const roll = user.rng.float();
  if (roll < 0.6) query.set('q', user.rng.pick(personQueries));
  else if (roll < 0.8) query.set('expertise', user.rng.pick(services));
  else query.set('country', user.rng.pick(countryCodes));
  const answer = await send(world, recorder, user, {
    op: 'searchPeople',
    path: `/api/directory/people?${query.toString()}`,
    check: hasItems,
  });
  if (answer)
    remember(
      world.personIds,
      itemsOf(answer.json).map((p) => String(p.personId)),
      1_000,
    );
}

async function openPerson(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const others = world.personIds.filter((id) => id !== user.account!.personId);
  if (others.length === 0) return searchPeople(world, recorder, user);
  const id = user.rng.pick(others);
  await send(world, recorder, user, {
    op: 'getPersonProfile',
    path: `/api/directory/people/${id}`,
    check: (json) => (isObject(json) && json.personId === id ? null : 'another person'),
  });
}

/** A member's own professional profile, published (so others find it); edits keep it published. */
export function personProfileBody(user: LoadUser) {
  return {
    published: true,
    jobTitle: user.rng.pick(jobTitles),
    bio: `Works with survivors and partner organisations (load suite, user ${user.index}).`,
    expertise: [user.rng.pick(services)],
    languages: ['en'],
    countries: [user.rng.pick(countryCodes)],
  };
}

async function messages(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const box = user.rng.chance(0.7) ? 'inbox' : 'sent';
  const answer = await send(world, recorder, user, {
    op: 'listContactMessages',
    path: `/api/directory/messages?box=${box}`,
    check: hasItems,
  });
  if (answer && box === 'inbox') {
    user.unread = itemsOf(answer.json)
      .filter((m) => m.readAt === null)
      .map((m) => String(m.id));
  }
}

async function markRead(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const id = user.unread.shift();
  if (!id) return messages(world, recorder, user);
  await send(world, recorder, user, {
    op: 'markContactMessageRead',
    method: 'POST',
    path: `/api/directory/messages/${id}/read`,
  });
}

/** At most a few messages a user in a run: far inside 10 a minute and 50 a day per person. */
const maxMessagesPerUser = 3;

async function sendMessage(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const others = world.personIds.filter((id) => id !== user.account!.personId);
  if (user.messagesSent >= maxMessagesPerUser || others.length === 0) return messages(world, recorder, user);
  user.messagesSent++;
  const to = user.rng.pick(others);
  await idempotentWrite(world, recorder, user, {
    op: 'sendContactMessage',
    method: 'POST',
    path: `/api/directory/people/${to}/messages`,
    body: { body: `Hello — could we talk about referrals in your area? (load suite, user ${user.index})` },
    expect: 201,
  });
}

/** Signs out and back in with the password (members have no second factor): the argon2 path under load. */
async function signOutAndIn(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const account = user.account!;
  const out = await send(world, recorder, user, {
    op: 'signOut',
    method: 'POST',
    path: '/api/auth/sign-out',
    expect: 204,
  });
  if (!out) return;
  account.cookie = '';
  await sleep(thinkMs(user));
  const answer = await send(world, recorder, user, {
    op: 'signIn',
    method: 'POST',
    path: '/api/auth/sign-in',
    body: { email: account.email, password: account.password },
    check: (json) =>
      isObject(json) && json.status === 'signed_in'
        ? null
        : `status ${String(isObject(json) && json.status)}`,
  });
  if (answer) recorder.signIns++;
  if (!account.cookie) throw new Error(`user ${user.index} could not sign in again`);
}

/**
 * A write that clients may retry, with a fresh Idempotency-Key; now and then the same request is sent again
 * (a client that lost the answer), which must replay the stored answer: same status, same id, marked
 * `Idempotent-Replayed: true`.
 */
async function idempotentWrite(
  world: World,
  recorder: Recorder,
  user: LoadUser,
  call: Call,
): Promise<Answer | null> {
  const key = randomUUID();
  const first = await send(world, recorder, user, { ...call, idempotencyKey: key });
  if (!first || !user.rng.chance(0.08)) return first;
  recorder.replaysSent++;
  const firstId = isObject(first.json) ? first.json.id : undefined;
  const again = await send(world, recorder, user, {
    ...call,
    op: `${call.op} (retried)`,
    idempotencyKey: key,
    check: (json) =>
      isObject(json) && json.id === firstId ? null : 'a retried write answered with another id',
  });
  if (again && again.headers.get('idempotent-replayed') === 'true') recorder.replaysConfirmed++;
  else if (again)
    recorder.fail(user, `${call.op} (retried)`, again.status, 'a retried write was not marked as replayed');
  return first;
}

// --- case work --------------------------------------------------------------------------------------------

const firstNames = ['Amina', 'Grace', 'Joseph', 'Lan', 'Maria', 'Nimal', 'Rosa', 'Samuel', 'Thu', 'Yusuf'];
const familyNames = [
  'Banda',
  'Chen',
  'Diallo',
  'Hossain',
  'Mendoza',
  'Nguyen',
  'Okafor',
  'Perera',
  'Silva',
  'Tran',
];

/** A new intake: invented people (no real survivor), with every section an intake form fills in. */
export function newCaseBody(user: LoadUser) {
  const rng = user.rng;
  const country = rng.pick(countryCodes);
  const firstName = rng.pick(firstNames);
  const secondName = `${rng.pick(familyNames)}-${rng.int(1000, 9999)}`;
  return {
    identity: { firstName, secondName, aliases: [], birthYear: rng.int(1960, 2008) },
    contact: { mobilePhone: `+1 555 ${rng.int(100, 999)} ${rng.int(1000, 9999)}`, city: 'Invented', country },
    documents: [{ type: 'Passport', number: `LOAD-${rng.int(100000, 999999)}`, issuingCountry: country }],
    narrative: {
      account: 'Recruited for work abroad; documents taken on arrival. (Invented for the load suite.)',
    },
    profile: { gender: rng.pick(['Feminine', 'Masculine']), citizenships: [country], primaryLanguage: 'en' },
    victim: {
      traffickingStatus: rng.pick(['PossibleVictimOfTrafficking', 'ActualVictimOfTrafficking']),
      exploitationTypes: [rng.pick(['ForcedLabour', 'Servitude', 'SexualExploitation'])],
      methodsOfControl: ['WithholdsDocuments'],
      exploitationCountry: rng.pick(countryCodes),
    },
  };
}

/** Opens a case the way the intake form does: a duplicate check on the name and document, then the intake. */
async function createCase(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const body = newCaseBody(user);
  const check = await send(world, recorder, user, {
    op: 'checkCaseDuplicates',
    method: 'POST',
    path: '/api/cases/duplicate-checks',
    body: {
      documentNumbers: body.documents.map((d) => d.number),
      firstName: body.identity.firstName,
      secondName: body.identity.secondName,
      birthYear: body.identity.birthYear,
    },
  });
  if (!check) return;
  await sleep(thinkMs(user));
  const answer = await idempotentWrite(world, recorder, user, {
    op: 'createCaseFile',
    method: 'POST',
    path: '/api/cases',
    body,
    expect: 201,
    check: (json) => (isObject(json) && typeof json.id === 'string' ? null : 'no case id'),
  });
  if (!answer) return;
  const id = String((answer.json as { id: string }).id);
  user.cases.push({ id, openFollowUps: [], consents: [] });
  recorder.writes.push({ kind: 'case', id, caseId: id });
}

function someCase(user: LoadUser): KnownCase | null {
  return user.cases.length > 0 ? user.rng.pick(user.cases) : null;
}

/** Passes a step-up with the user's passkey when the last one is older than 4 of its 5 minutes. */
async function ensureSteppedUp(world: World, recorder: Recorder, user: LoadUser): Promise<boolean> {
  const account = user.account!;
  if (Date.now() - account.steppedUpAt < 240_000) return true;
  const options = await send(world, recorder, user, {
    op: 'stepUpOptions',
    method: 'POST',
    path: '/api/auth/step-up/options',
  });
  if (!options) return false;
  const { challengeId, options: request } = options.json as {
    challengeId: string;
    options: PublicKeyCredentialRequestOptionsJSON;
  };
  const verified = await send(world, recorder, user, {
    op: 'stepUp',
    method: 'POST',
    path: '/api/auth/step-up/verify',
    body: { challengeId, response: account.authenticator!.authenticate(request) },
    expect: 204,
  });
  if (!verified) return false;
  account.steppedUpAt = Date.now();
  recorder.stepUps++;
  return true;
}

async function openCase(world: World, recorder: Recorder, user: LoadUser, reveal: boolean): Promise<unknown> {
  const known = someCase(user);
  if (!known) return listCases(world, recorder, user);
  if (reveal && !(await ensureSteppedUp(world, recorder, user))) return null;
  return send(world, recorder, user, {
    op: reveal ? 'getCaseFile (reveal)' : 'getCaseFile',
    path: `/api/cases/${known.id}${reveal ? '?reveal=true' : ''}`,
    check: (json) => {
      if (!isObject(json) || json.id !== known.id) return 'another case';
      if (reveal && (json.revealed !== true || !isObject(json.identity)))
        return 'not revealed after a step-up';
      if (!reveal && (json.revealed !== false || json.identity !== null))
        return 'identifying sections without reveal';
      return null;
    },
  });
}

async function listCases(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const supervisor = user.kind === 'supervisor';
  const query = new URLSearchParams({ scope: supervisor ? 'organisation' : 'mine' });
  if (user.rng.chance(0.3)) query.set('limit', '50');
  const answer = await send(world, recorder, user, {
    op: 'listCases',
    path: `/api/cases?${query.toString()}`,
    check: hasItems,
  });
  if (!answer) return;
  // A caseworker works on open cases only; one whose closure is pending or done is left alone.
  const ids = itemsOf(answer.json)
    .filter(
      (c) =>
        supervisor ||
        ((c.status === 'Active' || c.status === 'FollowUp') &&
          c.closurePending === false &&
          !user.closed.includes(String(c.id))),
    )
    .map((c) => String(c.id));
  for (const id of ids) {
    if (!user.cases.some((c) => c.id === id)) user.cases.push({ id, openFollowUps: [], consents: [] });
  }
  const next = (answer.json as { nextCursor?: string | null }).nextCursor;
  if (next && user.rng.chance(0.3)) {
    query.set('cursor', next);
    await sleep(thinkMs(user));
    await send(world, recorder, user, {
      op: 'listCases',
      path: `/api/cases?${query.toString()}`,
      check: hasItems,
    });
  }
}

const dashboard = (world: World, recorder: Recorder, user: LoadUser) =>
  send(world, recorder, user, {
    op: 'getCaseDashboard',
    path: '/api/cases/dashboard',
    check: (json) => (isObject(json) && Array.isArray(json.myCases) ? null : 'no dashboard'),
  });

function entryBody(user: LoadUser) {
  const rng = user.rng;
  const roll = rng.float();
  if (roll < 0.45)
    return { kind: 'comment', body: `Follow-up call done; next steps agreed. (load ${rng.int(1, 1e6)})` };
  if (roll < 0.65)
    return { kind: 'event', type: rng.pick(traffickingEventTypes), country: rng.pick(countryCodes) };
  if (roll < 0.85) return { kind: 'supportPlan', type: rng.pick(supportPlanTypes), status: 'Planned' };
  return { kind: 'followUp', dueOn: isoDay(rng.int(1, 30)), note: 'Check in by phone.' };
}

async function addEntry(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const known = someCase(user);
  if (!known) return createCase(world, recorder, user);
  const body = entryBody(user);
  const answer = await idempotentWrite(world, recorder, user, {
    op: 'addCaseEntry',
    method: 'POST',
    path: `/api/cases/${known.id}/entries`,
    body,
    expect: 201,
    check: (json) => (isObject(json) && typeof json.id === 'string' ? null : 'no entry id'),
  });
  if (!answer) return;
  const id = String((answer.json as { id: string }).id);
  recorder.writes.push({ kind: 'entry', id, caseId: known.id });
  if (body.kind === 'followUp') known.openFollowUps.push(id);
}

async function completeFollowUp(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const known = user.cases.find((c) => c.openFollowUps.length > 0);
  if (!known) return addEntry(world, recorder, user);
  const entryId = known.openFollowUps.shift()!;
  await send(world, recorder, user, {
    op: 'completeCaseEntry',
    method: 'POST',
    path: `/api/cases/${known.id}/entries/${entryId}/done`,
  });
}

async function recordConsent(
  world: World,
  recorder: Recorder,
  user: LoadUser,
  others: readonly string[],
): Promise<void> {
  const known = someCase(user);
  if (!known) return createCase(world, recorder, user);
  const referral = user.rng.chance(0.4) && others.length > 0;
  const answer = await idempotentWrite(world, recorder, user, {
    op: 'recordCaseConsent',
    method: 'POST',
    path: `/api/cases/${known.id}/consents`,
    body: {
      purpose: referral ? 'Referral' : 'Care',
      ...(referral ? { recipientOrganisationId: user.rng.pick(others) } : {}),
      sections: ['profile', 'victim'],
      givenOn: isoDay(-1),
      expiresOn: isoDay(365),
    },
    expect: 201,
    check: (json) => (isObject(json) && typeof json.id === 'string' ? null : 'no consent id'),
  });
  if (!answer) return;
  const id = String((answer.json as { id: string }).id);
  recorder.writes.push({ kind: 'consent', id, caseId: known.id });
  known.consents.push(id);
}

async function revokeConsent(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const known = user.cases.find((c) => c.consents.length > 0);
  if (!known) return;
  const consentId = known.consents.shift()!;
  await send(world, recorder, user, {
    op: 'revokeCaseConsent',
    method: 'POST',
    path: `/api/cases/${known.id}/consents/${consentId}/revoke`,
    check: (json) => (isObject(json) && json.active === false ? null : 'still active'),
  });
}

/** Opens a case and saves a changed profile section with the version it loaded (optimistic locking). */
async function updateCase(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const known = someCase(user);
  if (!known) return createCase(world, recorder, user);
  const opened = await send(world, recorder, user, { op: 'getCaseFile', path: `/api/cases/${known.id}` });
  if (!opened) return;
  const file = opened.json as { version: number; profile: Record<string, unknown> };
  await sleep(thinkMs(user));
  await send(world, recorder, user, {
    op: 'updateCaseFile',
    method: 'PATCH',
    path: `/api/cases/${known.id}`,
    body: { version: file.version, profile: { ...file.profile, numberOfChildren: user.rng.int(0, 4) } },
    check: (json) =>
      isObject(json) && json.version === file.version + 1 ? null : 'version did not move on by one',
  });
}

/** Asks for one of the caseworker's cases (never the last two) to be closed, and leaves it alone from then on. */
async function requestClosure(world: World, recorder: Recorder, user: LoadUser): Promise<unknown> {
  if (user.cases.length <= 2) return createCase(world, recorder, user);
  const known = user.cases.splice(user.rng.int(0, user.cases.length - 1), 1)[0]!;
  user.closed.push(known.id);
  return send(world, recorder, user, {
    op: 'requestCaseClosure',
    method: 'POST',
    path: `/api/cases/${known.id}/closure-request`,
    body: {
      status: user.rng.pick(['Closed', 'ClosedReferred']),
      reason: 'Support plan completed (load suite).',
    },
    check: (json) =>
      isObject(json) && isObject(json.closureRequest) ? null : 'no closure request on the case',
  });
}

/** The deciding supervisor approves the oldest pending closure of the organisation (a second pair of eyes). */
async function decideClosure(world: World, recorder: Recorder, user: LoadUser): Promise<unknown> {
  const pending = await send(world, recorder, user, {
    op: 'listCases',
    path: '/api/cases?scope=organisation&closurePending=true',
    check: hasItems,
  });
  const first = pending ? itemsOf(pending.json)[0] : undefined;
  if (!first) return null;
  await sleep(thinkMs(user));
  return send(world, recorder, user, {
    op: 'decideCaseClosure',
    method: 'POST',
    path: `/api/cases/${String(first.id)}/closure-decision`,
    body: { decision: 'approve' },
    check: (json) =>
      isObject(json) && (json.status === 'Closed' || json.status === 'ClosedReferred') ? null : 'not closed',
  });
}

async function caseHistory(world: World, recorder: Recorder, user: LoadUser): Promise<unknown> {
  const known = someCase(user);
  if (!known) return listCases(world, recorder, user);
  return send(world, recorder, user, {
    op: 'getCaseHistory',
    path: `/api/cases/${known.id}/history`,
    check: hasItems,
  });
}

/** A described need, as the "find support" form sends it (codes and a place, never a survivor's identity). */
function needOf(user: LoadUser) {
  const rng = user.rng;
  return {
    country: rng.pick(countryCodes),
    services: [rng.pick(services)],
    gender: rng.pick(needGenders),
    ageBand: rng.pick(ageBands),
    urgency: rng.pick(urgencies),
  };
}

async function matchSupport(
  world: World,
  recorder: Recorder,
  user: LoadUser,
  need = needOf(user),
): Promise<string[]> {
  const answer = await send(world, recorder, user, {
    op: 'matchSupport',
    method: 'POST',
    path: '/api/directory/support/match',
    body: { need, limit: 10 },
    check: (json) => (isObject(json) && Array.isArray(json.candidates) ? null : 'no candidates list'),
  });
  if (!answer) return [];
  return (answer.json as { candidates: { organisationId: string }[] }).candidates.map(
    (c) => c.organisationId,
  );
}

/** Minutes between two support requests of one caseworker: far inside the route's 20 a minute. */
const supportRequestEveryMs = 120_000;

async function requestSupport(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  if (Date.now() - user.lastSupportRequestAt < supportRequestEveryMs) {
    await send(world, recorder, user, {
      op: 'listSupportRequests',
      path: '/api/directory/support/requests',
      check: hasItems,
    });
    return;
  }
  const need = needOf(user);
  const candidates = await matchSupport(world, recorder, user, need);
  if (candidates.length === 0) return;
  user.lastSupportRequestAt = Date.now();
  await sleep(thinkMs(user));
  await idempotentWrite(world, recorder, user, {
    op: 'createSupportRequest',
    method: 'POST',
    path: '/api/directory/support/requests',
    body: { need, recipientOrganisationIds: candidates.slice(0, user.rng.int(1, 3)) },
    expect: 201,
  });
}

// --- organisation administration --------------------------------------------------------------------------

const maxInvitationsPerUser = 3;

async function invite(world: World, recorder: Recorder, user: LoadUser): Promise<unknown> {
  const account = user.account!;
  if (user.invitationsSent >= maxInvitationsPerUser)
    return send(world, recorder, user, {
      op: 'listInvitations',
      path: `/api/identity/organisations/${account.organisationId}/invitations`,
    });
  user.invitationsSent++;
  return idempotentWrite(world, recorder, user, {
    op: 'inviteMember',
    method: 'POST',
    path: `/api/identity/organisations/${account.organisationId}/invitations`,
    body: { email: `invitee-${randomUUID()}@load.cairn.test`, role: 'member' },
    expect: 201,
  });
}

// ---------------------------------------------------------------------------------------------------------
// The users' loops
// ---------------------------------------------------------------------------------------------------------

/** A think time between a person's actions: uniform 0.5–2 s. */
export function thinkMs(user: LoadUser): number {
  return 500 + user.rng.float() * 1_500;
}

/** Users start over this many milliseconds from the start of the load. */
export const rampUpMs = 20_000;

/** Greedy users send one request every 80 ms (12.5 a second): well over any limit they aim at. */
const greedyPauseMs = 80;

function actionsOf(world: World, recorder: Recorder, user: LoadUser): readonly (readonly [number, Action])[] {
  const w = world;
  const r = recorder;
  const others = w.organisationIds.filter((id) => id !== user.account?.organisationId);
  switch (user.kind) {
    case 'visitor':
      return [
        [30, () => search(w, r, user)],
        [25, () => openProfile(w, r, user)],
        [12, () => map(w, r, user)],
        [6, () => places(w, r, user)],
        [4, () => regions(w, r, user)],
        [2, () => health(w, r, user)],
        [3, () => loadPage(w, r, user)],
        [1, () => newVisitor(w, r, user)],
      ];
    case 'member':
      return [
        [18, () => search(w, r, user)],
        [12, () => openProfile(w, r, user)],
        [5, () => map(w, r, user)],
        [16, () => searchPeople(w, r, user)],
        [10, () => openPerson(w, r, user)],
        [5, () => me(w, r, user)],
        [3, () => send(w, r, user, { op: 'getMyPersonProfile', path: '/api/directory/people/me' })],
        [
          1.5,
          () =>
            send(w, r, user, {
              op: 'saveMyPersonProfile',
              method: 'PUT',
              path: '/api/directory/people/me',
              body: personProfileBody(user),
            }),
        ],
        [6, () => messages(w, r, user)],
        [2, () => markRead(w, r, user)],
        [1, () => sendMessage(w, r, user)],
        [0.4, () => signOutAndIn(w, r, user)],
      ];
    case 'caseworker':
      return [
        [12, () => dashboard(w, r, user)],
        [8, () => listCases(w, r, user)],
        [14, () => openCase(w, r, user, false)],
        [8, () => openCase(w, r, user, true)],
        [9, () => addEntry(w, r, user)],
        [2, () => completeFollowUp(w, r, user)],
        [3, () => recordConsent(w, r, user, others)],
        [0.7, () => revokeConsent(w, r, user)],
        [3, () => updateCase(w, r, user)],
        [3, () => createCase(w, r, user)],
        [0.8, () => requestClosure(w, r, user)],
        [4, () => matchSupport(w, r, user)],
        [1.5, () => requestSupport(w, r, user)],
        [2, () => send(w, r, user, { op: 'listCaseStaff', path: '/api/cases/staff', check: hasItems })],
        [4, () => search(w, r, user)],
        [2, () => searchPeople(w, r, user)],
        [2, () => me(w, r, user)],
      ];
    case 'supervisor':
      return [
        [10, () => dashboard(w, r, user)],
        [12, () => listCases(w, r, user)],
        [14, () => openCase(w, r, user, false)],
        [4, () => openCase(w, r, user, true)],
        [6, () => caseHistory(w, r, user)],
        [user.approver ? 6 : 0, () => decideClosure(w, r, user)],
        [5, () => send(w, r, user, { op: 'getCaseStatistics', path: '/api/cases/statistics' })],
        [3, () => send(w, r, user, { op: 'listCaseStaff', path: '/api/cases/staff', check: hasItems })],
        [
          3,
          () =>
            send(w, r, user, {
              op: 'listSupportRequests',
              path: '/api/directory/support/requests',
              check: hasItems,
            }),
        ],
        [
          3,
          () =>
            send(w, r, user, {
              op: 'listIncomingSupportRequests',
              path: '/api/directory/support/incoming',
              check: hasItems,
            }),
        ],
        [3, () => search(w, r, user)],
        [2, () => me(w, r, user)],
      ];
    case 'org_admin': {
      const org = `/api/identity/organisations/${user.account!.organisationId}`;
      return [
        [15, () => send(w, r, user, { op: 'listMembers', path: `${org}/members`, check: isList })],
        [8, () => send(w, r, user, { op: 'listInvitations', path: `${org}/invitations`, check: isList })],
        [8, () => send(w, r, user, { op: 'getOrganisation', path: org })],
        [4, () => send(w, r, user, { op: 'listSessions', path: '/api/auth/sessions' })],
        [5, () => me(w, r, user)],
        [1, () => invite(w, r, user)],
        [
          5,
          () =>
            send(w, r, user, {
              op: 'listIncomingSupportRequests',
              path: '/api/directory/support/incoming',
              check: hasItems,
            }),
        ],
        [5, () => search(w, r, user)],
        [4, () => searchPeople(w, r, user)],
      ];
    }
    case 'greedy_visitor':
      // A scraper: profiles (120 a minute per address) and searches (the global 300 a minute), half each.
      return [
        [1, () => openProfile(w, r, user)],
        [1, () => search(w, r, user)],
      ];
    case 'greedy_caseworker':
      // A runaway script: the dashboard (global limit) and the matcher (60 a minute per address).
      return [
        [2, () => dashboard(w, r, user)],
        [1, () => matchSupport(w, r, user)],
      ];
  }
}

/**
 * One user's session of use until `until` (ms since the epoch): a staggered start, then actions with think
 * time (greedy users: a short fixed pause). An action whose answer was wrong is recorded and the user goes
 * on, as a person would retry or move on.
 */
export async function runUser(
  world: World,
  recorder: Recorder,
  user: LoadUser,
  until: number,
): Promise<void> {
  const actions = actionsOf(world, recorder, user);
  const greedy = isGreedy(user.kind);
  // Users arrive over the first 20 seconds, not all in the same instant.
  await sleep(user.rng.float() * rampUpMs);
  if (user.kind === 'visitor') await loadPage(world, recorder, user);
  while (Date.now() < until && !recorder.stopping) {
    try {
      await pickWeighted(user.rng, actions)(user);
    } catch (error) {
      recorder.fail(user, 'client', -1, error instanceof Error ? error.message : String(error));
      if (!user.account?.cookie && user.account) return;
    }
    await sleep(greedy ? greedyPauseMs : thinkMs(user));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Setting up users through the API
// ---------------------------------------------------------------------------------------------------------

/** Registers a software passkey through the API (as the web app's "add a passkey" does). */
export async function registerPasskey(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const account = user.account!;
  const authenticator = new SoftwareAuthenticator(new URL(world.baseUrl).origin);
  const start = await send(world, recorder, user, {
    op: 'passkeyRegistrationOptions',
    method: 'POST',
    path: '/api/auth/passkeys/registration-options',
  });
  if (!start)
    throw new Error(`user ${user.index}: no passkey registration options (${recorder.unexpected.at(-1)})`);
  const { challengeId, options } = start.json as {
    challengeId: string;
    options: PublicKeyCredentialCreationOptionsJSON;
  };
  const added = await send(world, recorder, user, {
    op: 'addPasskey',
    method: 'POST',
    path: '/api/auth/passkeys',
    body: { challengeId, response: authenticator.register(options), name: 'Load suite key' },
    expect: 201,
  });
  if (!added) throw new Error(`user ${user.index}: passkey not added (${recorder.unexpected.at(-1)})`);
  account.authenticator = authenticator;
}

/** Opens a first case for a caseworker before the load (so there is something to read from the start). */
export async function openFirstCase(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const answer = await send(world, recorder, user, {
    op: 'createCaseFile',
    method: 'POST',
    path: '/api/cases',
    body: newCaseBody(user),
    idempotencyKey: randomUUID(),
    expect: 201,
  });
  if (!answer) throw new Error(`user ${user.index}: first case not opened (${recorder.unexpected.at(-1)})`);
  const id = String((answer.json as { id: string }).id);
  user.cases.push({ id, openFollowUps: [], consents: [] });
}

/** Publishes a member's professional profile before the load, so people search finds members of the run. */
export async function publishProfile(world: World, recorder: Recorder, user: LoadUser): Promise<void> {
  const answer = await send(world, recorder, user, {
    op: 'saveMyPersonProfile',
    method: 'PUT',
    path: '/api/directory/people/me',
    body: personProfileBody(user),
  });
  if (!answer) throw new Error(`user ${user.index}: profile not saved (${recorder.unexpected.at(-1)})`);
  remember(world.personIds, [user.account!.personId], 1_000);
}

/** Warms the shared lists: profiles from searches, people from people search, as one early visitor would. */
export async function discover(
  world: World,
  recorder: Recorder,
  visitor: LoadUser,
  member: LoadUser,
): Promise<void> {
  for (let i = 0; i < 10; i++) await search(world, recorder, visitor);
  for (let i = 0; i < 5; i++) await searchPeople(world, recorder, member);
}
