import { gunzipSync } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import { sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../kernel/context.js';
import { queryRows } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { mapPeriods, type MapPeriod } from './journeys.publish.js';
import { bytesOf, type SliceKey, type StoredDocument } from './journeys.publication.js';
import { storedDocument } from './journeys.publish.slice.js';
import type {
  AreaDocumentAnswer,
  AreaDocumentQuery,
  DocumentQuery,
  WorldDocumentAnswer,
} from './journeys.schemas.js';
import { journeysDocuments, journeysPublication } from './journeys.tables.js';
import { anyValue } from './journeys.vocabulary.js';

/**
 * The map's answers, as the publication job stored them (journeys.publication.ts): one primary-key read and
 * its bytes sent as they are, gzipped, with their ETag. Nothing is protected here: every stored number was
 * published after disclosure control over its whole slice. A slice or area with nothing published answers an
 * empty document.
 */

type MapAudience = 'public' | 'member';

const sliceOf = (query: DocumentQuery): SliceKey => ({
  exploitationType: query.exploitationType ?? anyValue,
  industry: query.industry ?? anyValue,
  nationalityBand: query.nationalityBand ?? anyValue,
});

interface StoredRow {
  k: number | null;
  earliest: number | null;
  latest: number | null;
  body: Uint8Array | null;
  etag: string | null;
}

/**
 * Reads the publication's periods and the document of a slice, period and area in one statement. The period
 * asked for must be one of the publication's; without one, the longest (`all`, or the only year).
 */
async function readAnswer(
  ctx: Ctx,
  query: DocumentQuery,
  area: string,
): Promise<{ k: number; periods: MapPeriod[]; period: MapPeriod | null; stored: StoredDocument | null }> {
  const slice = sliceOf(query);
  // The default period, as mapPeriods names it: `all` over several years, else the one year.
  const period = query.period
    ? sql`${query.period}`
    : sql`case when p.latest_year > p.earliest_year then 'all' else p.latest_year::text end`;
  const [row] = await queryRows<StoredRow>(
    ctx.kernel.database.db,
    sql`select p.k, p.earliest_year as earliest, p.latest_year as latest, d.body, d.etag
      from (select 1) one
      left join ${journeysPublication} p on p.id = 1
      left join ${journeysDocuments} d on d.exploitation_type = ${slice.exploitationType}
        and d.industry = ${slice.industry} and d.nationality_band = ${slice.nationalityBand}
        and d.period = ${period} and d.area = ${area}`,
  );
  const k = row?.k ?? ctx.kernel.config.journeysK;
  const periods =
    row?.earliest != null && row.latest != null ? mapPeriods(row.earliest, row.latest) : ([] as MapPeriod[]);
  const chosen = query.period ? periods.find((p) => p.id === query.period) : periods.at(-1);
  if (query.period && !chosen) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.period', code: 'journeys.period_unknown' }],
    });
  }
  const stored = row?.body && row.etag ? { body: bytesOf(row.body), etag: row.etag } : null;
  return { k, periods, period: chosen ?? null, stored };
}

const periodFields = (k: number, period: MapPeriod | null) => ({
  k,
  period: period?.id ?? null,
  from: period?.from ?? null,
  to: period?.to ?? null,
});

/** The world's answer of a slice and period: the public map's, and the member map's before an area. */
export async function worldAnswer(ctx: Ctx, query: DocumentQuery): Promise<StoredDocument> {
  const { k, periods, period, stored } = await readAnswer(ctx, query, '');
  if (stored) return stored;
  const empty: WorldDocumentAnswer = {
    ...periodFields(k, period),
    total: null,
    timeline: [],
    flows: [],
    hotspots: [],
    countries: {},
    periods,
  };
  return storedDocument(empty);
}

/** What the member map adds about an area (its region flows and hotspots, its total and years). */
export async function areaAnswer(ctx: Ctx, query: AreaDocumentQuery): Promise<StoredDocument> {
  const { area, ...rest } = query;
  const { k, period, stored } = await readAnswer(ctx, rest, area);
  if (stored) return stored;
  const empty: AreaDocumentAnswer = {
    ...periodFields(k, period),
    area,
    total: null,
    timeline: [],
    flows: [],
    hotspots: [],
  };
  return storedDocument(empty);
}

/**
 * Sends a stored answer: its gzipped bytes as they are to a client that takes gzip (every browser), else
 * unzipped; 304 when the client has it already. The public map may be cached a minute by anyone; a member's
 * answer only by the member's own browser, which asks again each time (an ETag makes that cheap).
 */
export function sendAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  audience: MapAudience,
  answer: StoredDocument,
): FastifyReply {
  void reply
    .header('etag', answer.etag)
    .header('vary', 'accept-encoding')
    .header('cache-control', audience === 'public' ? 'public, max-age=60' : 'private, no-cache');
  const known = request.headers['if-none-match'];
  if (known !== undefined && known.split(',').some((tag) => tag.trim() === answer.etag)) {
    return reply.code(304).send();
  }
  void reply.type('application/json; charset=utf-8');
  const encoding = negotiate(request.headers['accept-encoding'] ?? '', ['gzip', 'identity']);
  if (encoding === 'gzip') return reply.header('content-encoding', 'gzip').send(answer.body);
  return reply.send(gunzipSync(answer.body));
}
