import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../kernel/db/types.js';
import { createMember, signIn } from '../test/factories.js';

/** The full security run (`npm run test:security`) sets this: longer fuzzing, stricter preconditions. */
export const fullRun = process.env.CAIRN_SECURITY_FULL === '1';

/** Prints per-suite figures (operations, attempts, time) when CAIRN_SECURITY_VERBOSE=1. */
export function report(line: string): void {
  if (process.env.CAIRN_SECURITY_VERBOSE === '1' || fullRun) console.warn(`[security] ${line}`);
}

/** A random client address per request, so per-address rate limits do not hide what the suites test. */
export function randomAddress(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** An organisation admin (with a passkey, fully enrolled) and a way to get a fresh session cookie. */
export interface Admin {
  organisationId: string;
  personId: string;
  membershipId: string;
  /** A new full session each call: suites may sign themselves out or revoke their sessions. */
  cookie: () => Promise<string>;
}

/** Makes an active organisation with an admin. */
export async function createAdmin(db: Db): Promise<Admin> {
  const { membership, personId, organisationId } = await createMember(db, { role: 'org_admin' });
  return {
    organisationId,
    personId,
    membershipId: membership.id,
    cookie: async () => (await signIn(db, personId, { membershipId: membership.id })).cookie,
  };
}

/**
 * Why a response breaks the error contract, or null: no 5xx, and every error is RFC 9457 problem+json with
 * a stable `code`.
 */
export function contractBreach(res: LightMyRequestResponse): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}`;
  if (res.statusCode < 400) return null;
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `error ${res.statusCode} sent as "${type}"`;
  try {
    const body = JSON.parse(res.body) as { code?: unknown; status?: unknown };
    if (typeof body.code !== 'string' || body.code === '') return `error ${res.statusCode} without a code`;
    if (body.status !== res.statusCode) return `problem status ${String(body.status)} ≠ ${res.statusCode}`;
  } catch {
    return `error ${res.statusCode} body is not JSON`;
  }
  return null;
}

/** A short, printable preview of a request or response body for failure messages. */
export function preview(value: string | Buffer | undefined, max = 160): string {
  if (value === undefined) return '(none)';
  const text = Buffer.isBuffer(value) ? `<${value.length} bytes> ${value.toString('latin1')}` : value;
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…(${text.length})` : text);
  return shown;
}

/** The own property names of the built-in prototypes, to prove a request did not pollute them. */
export function prototypeSnapshot(): string {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort().join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => names(proto))
    .join('|');
}

/** Keys the fuzzers try to plant on Object.prototype; none may be readable from a fresh object. */
export const pollutionMarkers = ['polluted', 'isAdmin'] as const;

/** What a fresh object inherits under the pollution markers (empty when nothing was planted). */
export function inheritedMarkers(): string[] {
  const probe = {} as Record<string, unknown>;
  return pollutionMarkers.filter((key) => probe[key] !== undefined);
}

/**
 * Known good values by property name, read from the running app, so generated requests name things that
 * exist (a gazetteer place) and reach the code behind validation.
 */
export async function knownExamples(app: FastifyInstance): Promise<Record<string, unknown[]>> {
  const places = await app.inject({
    url: '/api/directory/places?q=Nairobi&limit=3',
    remoteAddress: randomAddress(),
  });
  const placeIds = places.statusCode === 200 ? places.json<{ id: number }[]>().map((p) => p.id) : [];
  return placeIds.length ? { placeId: placeIds } : {};
}
