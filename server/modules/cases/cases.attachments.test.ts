import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { queryRows } from '../../kernel/db/types.js';
import { translator } from '../../kernel/i18n/i18n.js';
import { filesFolder } from '../../kernel/storage/storage.js';
import { htmlWithScript, png, zip } from '../../security/uploads.files.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { jpegWithGps, pdf, wav } from '../../test/attachments.js';
import { stepUp } from '../../test/cases.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import type { Attachment, AttachmentList } from './cases.attachments.schemas.js';
import type { CaseFile } from './cases.schemas.js';

interface Session {
  cookie: string;
  sessionId: string;
  personId: string;
  membershipId: string;
}

/** A unique marker: if it shows up anywhere but an authorised download, something leaked. */
const marker = `Canary${randomBytes(6).toString('hex')}`;
const mb = 1024 * 1024;

describe('cases: attachments', () => {
  let t: TestApp;
  let orgA: string;
  let worker: Session;
  let otherWorker: Session;
  let supervisor: Session;
  let analyst: Session;
  let admin: Session;
  let outsider: Session;
  let caseId: string;
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgA = (await createOrganisation(db())).id;
    const orgB = (await createOrganisation(db())).id;
    worker = await sessionIn(orgA, 'caseworker');
    otherWorker = await sessionIn(orgA, 'caseworker');
    supervisor = await sessionIn(orgA, 'case_supervisor');
    analyst = await sessionIn(orgA, 'analyst');
    admin = await sessionIn(orgA, 'org_admin');
    outsider = await sessionIn(orgB, 'case_supervisor');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { cookie: worker.cookie },
      payload: {
        profile: { gender: 'Feminine', citizenships: ['KE'] },
        victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    caseId = created.json<CaseFile>().id;
  });
  afterAll(() => t.close());

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const m = await createMember(db(), { role, organisationId });
    const { cookie, sessionId } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { cookie, sessionId, personId: m.personId, membershipId: m.membership.id };
  }

  function upload(
    session: Session | null,
    body: Buffer | Readable,
    type: string | null,
    options: { name?: string; caseId?: string; language?: string; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {
      'accept-language': options.language ?? 'en',
      ...options.headers,
    };
    if (session) headers.cookie = session.cookie;
    if (type) headers['content-type'] = type;
    if (options.name !== undefined) headers['x-file-name'] = encodeURIComponent(options.name);
    return t.app.inject({
      method: 'POST',
      url: `/api/cases/${options.caseId ?? caseId}/attachments`,
      headers,
      payload: body,
    });
  }

  function get(session: Session | null, url: string): Promise<LightMyRequestResponse> {
    return t.app.inject({ method: 'GET', url, headers: session ? { cookie: session.cookie } : {} });
  }

  const download = (session: Session | null, id: string, onCase = caseId) =>
    get(session, `/api/cases/${onCase}/attachments/${id}/content`);

  async function uploaded(body: Buffer, type: string, name: string): Promise<Attachment> {
    await stepUp(db(), worker.sessionId);
    const res = await upload(worker, body, type, { name });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Attachment>();
  }

  /** Every stored file under the data folder, with its bytes. */
  function storedFiles(): { file: string; bytes: Buffer }[] {
    const root = filesFolder(t.config);
    if (!existsSync(root)) return [];
    const out: { file: string; bytes: Buffer }[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) walk(full);
        else out.push({ file: full, bytes: readFileSync(full) });
      }
    };
    walk(root);
    return out;
  }

  async function attachmentRowsText(): Promise<string> {
    const [row] = await t.database.asOwner((owner) =>
      queryRows<{ text: string | null }>(
        owner,
        sql`select string_agg(to_jsonb(a)::text, '|') as text from cases_attachments a`,
      ),
    );
    return row?.text ?? '';
  }

  async function downloadsAudited(attachmentId: string): Promise<{ details: Record<string, unknown> }[]> {
    return t.database.asOwner((owner) =>
      queryRows<{ details: Record<string, unknown> }>(
        owner,
        sql`select details from kernel_audit where action = 'cases.attachment_downloaded'
            and details ->> 'attachmentId' = ${attachmentId} order by id`,
      ),
    );
  }

  it('re-encodes a photo with a GPS position: the download has no EXIF, no GPS, no description', async () => {
    const original = await jpegWithGps(marker, 64, 32);
    expect(original.includes(marker)).toBe(true);
    const attachment = await uploaded(original, 'image/jpeg', `${marker} at the border.jpg`);
    expect(attachment).toMatchObject({
      kind: 'photo',
      mediaType: 'image/jpeg',
      name: `${marker} at the border.jpg`,
    });

    await stepUp(db(), worker.sessionId);
    const res = await download(worker, attachment.id);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.rawPayload;
    expect(body.includes(marker)).toBe(false);
    const metadata = await sharp(body).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 32, height: 64 });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="${marker} at the border.jpg"; filename*=UTF-8''${marker}%20at%20the%20border.jpg`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'none'.*sandbox/);
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('stores files encrypted: neither the disk nor the row holds the content or the name, nor do the logs', async () => {
    const name = `${marker}-statement.txt`;
    const content = Buffer.from(`Statement of ${marker}: recruited through a cousin.\n`);
    const before = storedFiles().length;
    const attachment = await uploaded(content, 'text/plain; charset=utf-8', name);
    expect(attachment).toMatchObject({
      kind: 'document',
      mediaType: 'text/plain; charset=utf-8',
      sizeBytes: content.length,
    });

    const files = storedFiles();
    expect(files.length).toBe(before + 1);
    for (const { file, bytes } of files) {
      expect(bytes.includes(marker), file).toBe(false);
      expect(bytes.includes(Buffer.from(marker, 'utf16le')), file).toBe(false);
      expect(file.includes(marker)).toBe(false);
    }
    // Format tag, nonce and authentication tag in front of a ciphertext of the content's length.
    expect(files.some(({ bytes }) => bytes.length === content.length + 32)).toBe(true);
    const rows = await attachmentRowsText();
    expect(rows).toContain(attachment.id);
    expect(rows.includes(marker)).toBe(false);
    expect(rows.includes('recruited')).toBe(false);

    await stepUp(db(), worker.sessionId);
    const res = await download(worker, attachment.id);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(content)).toBe(true);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    // What was decrypted for an authorised download went nowhere else.
    expect(t.rawLogs().includes(marker)).toBe(false);
    const audit = await t.database.asOwner((owner) =>
      queryRows<{ text: string }>(
        owner,
        sql`select coalesce(string_agg(details::text, '|'), '') as text from kernel_audit`,
      ),
    );
    expect(audit[0]!.text.includes(marker)).toBe(false);
  });

  it('audits every download (who, which case, which attachment — never its name)', async () => {
    const attachment = await uploaded(wav(), 'audio/wav', `${marker}-interview.wav`);
    await stepUp(db(), worker.sessionId);
    expect((await download(worker, attachment.id)).statusCode).toBe(200);
    expect((await download(worker, attachment.id)).statusCode).toBe(200);
    await stepUp(db(), supervisor.sessionId);
    expect((await download(supervisor, attachment.id)).statusCode).toBe(200);
    const rows = await t.database.asOwner((owner) =>
      queryRows<{ actor: string; object: string; details: Record<string, unknown> }>(
        owner,
        sql`select actor_person_id as actor, object_id as object, details from kernel_audit
            where action = 'cases.attachment_downloaded' and details ->> 'attachmentId' = ${attachment.id}
            order by id`,
      ),
    );
    expect(rows.map((row) => row.actor)).toEqual([worker.personId, worker.personId, supervisor.personId]);
    expect(rows.every((row) => row.object === caseId)).toBe(true);
    expect(rows[2]!.details).toEqual({ attachmentId: attachment.id, kind: 'audio', via: 'supervision' });
    expect(JSON.stringify(rows).includes(marker)).toBe(false);
  });

  it('asks for a recent step-up before a download, and before showing names', async () => {
    const attachment = await uploaded(pdf(), 'application/pdf', `${marker}.pdf`);
    await stepUp(db(), worker.sessionId, new Date(Date.now() - 10 * 60_000));
    const res = await download(worker, attachment.id);
    expect(res.statusCode).toBe(403);
    expect(res.json<{ code: string }>().code).toBe('step_up_required');
    expect(await downloadsAudited(attachment.id)).toEqual([]);

    const plain = await get(worker, `/api/cases/${caseId}/attachments`);
    expect(plain.statusCode).toBe(200);
    const list = plain.json<AttachmentList>();
    expect(list.items.find((item) => item.id === attachment.id)).toMatchObject({
      kind: 'document',
      mediaType: 'application/pdf',
      name: null,
      createdBy: { personId: worker.personId },
    });
    expect(list.abilities).toEqual({ upload: true, download: true });
    expect(plain.body.includes(marker)).toBe(false);
    expect((await get(worker, `/api/cases/${caseId}/attachments?reveal=true`)).statusCode).toBe(403);
    await stepUp(db(), worker.sessionId);
    const revealed = (
      await get(worker, `/api/cases/${caseId}/attachments?reveal=true`)
    ).json<AttachmentList>();
    expect(revealed.items.find((item) => item.id === attachment.id)?.name).toBe(`${marker}.pdf`);
  });

  it('does not exist for strangers: another organisation, an unassigned caseworker (404 everywhere)', async () => {
    const attachment = await uploaded(pdf(), 'application/pdf', 'notes.pdf');
    for (const stranger of [outsider, otherWorker]) {
      await stepUp(db(), stranger.sessionId);
      for (const res of [
        await get(stranger, `/api/cases/${caseId}/attachments`),
        await download(stranger, attachment.id),
        await upload(stranger, pdf(), 'application/pdf', { name: 'mine.pdf' }),
      ]) {
        expect(res.statusCode, res.body).toBe(404);
        expect(res.json<{ code: string }>().code).toBe('not_found');
        expect(res.body.includes('notes.pdf')).toBe(false);
      }
    }
    // An attachment named under another case does not exist either.
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { cookie: worker.cookie },
      payload: { draft: true },
    });
    await stepUp(db(), worker.sessionId);
    expect((await download(worker, attachment.id, other.json<CaseFile>().id)).statusCode).toBe(404);
    // Roles that never read case content are stopped at the gate; nobody signed in, earlier still.
    for (const role of [analyst, admin]) {
      expect((await get(role, `/api/cases/${caseId}/attachments`)).statusCode).toBe(403);
      expect((await download(role, attachment.id)).statusCode).toBe(403);
      expect((await upload(role, pdf(), 'application/pdf')).statusCode).toBe(403);
    }
    expect((await download(null, attachment.id)).statusCode).toBe(401);
    expect((await upload(null, pdf(), 'application/pdf')).statusCode).toBe(401);
  });

  it('refuses a stranger’s upload before reading it, and an oversized one without buffering it all', async () => {
    let pulled = 0;
    /** A body of `size` bytes, made as it is read; `pulled` counts what the server read. */
    const stream = (size: number) => {
      let left = size;
      pulled = 0;
      const piece = Buffer.alloc(64 * 1024, 0x41);
      return new Readable({
        read() {
          if (left <= 0) return this.push(null);
          const part = left >= piece.length ? piece : piece.subarray(0, left);
          left -= part.length;
          pulled += part.length;
          this.push(part);
        },
      });
    };
    await stepUp(db(), outsider.sessionId);
    const stranger = await upload(outsider, stream(300 * mb), 'text/plain');
    expect(stranger.statusCode).toBe(404);
    expect(pulled).toBeLessThan(2 * mb);

    const declared = await upload(worker, Buffer.alloc(21 * mb, 0x41), 'text/plain');
    expect(declared.statusCode).toBe(413);
    expect(declared.json<{ code: string }>().code).toBe('payload_too_large');

    // 300 MB streamed without a length: refused once past 20 MB, and never held whole (memory stays flat).
    const rssBefore = process.memoryUsage().rss;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss - rssBefore);
    }, 5);
    const streamed = await upload(worker, stream(300 * mb), 'text/plain');
    clearInterval(sampler);
    expect(streamed.statusCode).toBe(413);
    expect(peak).toBeLessThan(150 * mb);

    const before = storedFiles().length;
    expect(before).toBeGreaterThan(0);
    expect(storedFiles().length).toBe(before);
  });

  it('refuses hostile files with a localised problem, and writes nothing for them', async () => {
    await stepUp(db(), worker.sessionId);
    const filesBefore = storedFiles().length;
    const rowsBefore = await attachmentRowsText();
    const archive = zip([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]);
    const cases: {
      name: string;
      body: Buffer;
      type: string | null;
      status: number;
      code: string;
      fileName?: string;
    }[] = [
      {
        name: 'a PNG declaring 10 billion pixels',
        body: png(100_000, 100_000, 1),
        type: 'image/png',
        status: 400,
        code: 'cases.attachment_too_many_pixels',
      },
      {
        name: 'a PDF with JavaScript',
        body: pdf({ catalog: '/OpenAction << /S /JavaScript /JS (app.alert(1)) >>' }),
        type: 'application/pdf',
        status: 400,
        code: 'cases.attachment_pdf_active',
      },
      {
        name: 'a web page named .pdf',
        body: htmlWithScript,
        type: 'application/pdf',
        status: 415,
        code: 'cases.attachment_type_mismatch',
        fileName: 'report.pdf',
      },
      {
        name: 'a PDF with a zip appended',
        body: Buffer.concat([pdf(), archive]),
        type: 'application/pdf',
        status: 400,
        code: 'cases.attachment_polyglot',
      },
      {
        name: 'a zip behind a PDF header',
        body: zip([{ name: 'x', data: Buffer.from('x') }], { prefix: pdf() }),
        type: 'application/pdf',
        status: 400,
        code: 'cases.attachment_polyglot',
      },
      {
        name: 'a file name climbing out',
        body: pdf(),
        type: 'application/pdf',
        status: 400,
        code: 'cases.attachment_bad_file_name',
        fileName: '../../etc/passwd',
      },
      {
        name: 'a file name with a direction override',
        body: pdf(),
        type: 'application/pdf',
        status: 400,
        code: 'cases.attachment_bad_file_name',
        fileName: 'invoice\u202Efdp.exe',
      },
      {
        name: 'a file sent as application/octet-stream',
        body: pdf(),
        type: 'application/octet-stream',
        status: 415,
        code: 'cases.attachment_declared_type',
      },
      {
        name: 'a multipart form',
        body: pdf(),
        type: 'multipart/form-data; boundary=cairn',
        status: 415,
        code: 'cases.attachment_declared_type',
      },
      {
        name: 'no Content-Type at all',
        body: pdf(),
        type: null,
        status: 415,
        code: 'cases.attachment_declared_type',
      },
      {
        name: 'an empty file',
        body: Buffer.alloc(0),
        type: 'text/plain',
        status: 400,
        code: 'cases.attachment_empty',
      },
    ];
    const languages = ['en', 'es', 'fr', 'ar'] as const;
    const failures: string[] = [];
    for (const [index, c] of cases.entries()) {
      const language = languages[index % languages.length]!;
      const res = await upload(worker, c.body, c.type, {
        language,
        ...(c.fileName ? { name: c.fileName } : {}),
      });
      const problem = res.json<{
        code: string;
        title: string;
        errors?: { code: string; message: string }[];
      }>();
      const code = problem.errors?.[0]?.code ?? problem.code;
      const message = problem.errors?.[0]?.message;
      if (res.statusCode !== c.status || code !== c.code)
        failures.push(`${c.name}: ${res.statusCode} ${code}, expected ${c.status} ${c.code}`);
      else if (!String(res.headers['content-type']).startsWith('application/problem+json'))
        failures.push(`${c.name}: not problem+json`);
      else if (problem.title !== translator(language)(`errors.${problem.code}.title`))
        failures.push(`${c.name}: title not in ${language}`);
      else if (
        message !== undefined &&
        (message.startsWith('validation.') || message === translator(language)('validation.invalid'))
      )
        failures.push(`${c.name}: no ${language} message for ${code}`);
    }
    expect(failures).toEqual([]);
    expect(storedFiles().length).toBe(filesBefore);
    expect(await attachmentRowsText()).toBe(rowsBefore);
  });

  it('lets only those who may add entries upload: a closed case takes no more files', async () => {
    const closed = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { cookie: worker.cookie },
      payload: { draft: true },
    });
    const closedId = closed.json<CaseFile>().id;
    await t.database.asOwner((owner) =>
      owner.execute(
        sql`update cases_files set status = 'Closed', closed_on = current_date where id = ${closedId}`,
      ),
    );
    const res = await upload(worker, pdf(), 'application/pdf', { caseId: closedId });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ code: string }>().code).toBe('forbidden');
    // Reading still works on a closed case.
    expect((await get(worker, `/api/cases/${closedId}/attachments`)).statusCode).toBe(200);
  });

  it('keeps files readable through a rotation of the organisation key and the destruction of the old one', async () => {
    const content = Buffer.from(`Rotation check ${marker}\n`);
    const attachment = await uploaded(content, 'text/plain', 'rotation.txt');
    const keys = t.app.kernel.keys;
    const rotation = await keys.rotateOrganisationKey(orgA);
    for (let round = 0; round < 20; round++) {
      if ((await keys.runRotation(rotation.rotationId)).state !== 'running') break;
    }
    expect((await keys.runRotation(rotation.rotationId)).state).toBe('done');
    const report = await keys.destroyRetiredKeys({ organisationId: orgA });
    expect(report.destroyed).toEqual([{ kind: 'organisation', scope: orgA, version: rotation.fromVersion }]);
    await stepUp(db(), worker.sessionId);
    const res = await download(worker, attachment.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.rawPayload.equals(content)).toBe(true);
  });

  it('binds each stored file to its attachment: a file moved under another attachment does not open', async () => {
    const first = await uploaded(Buffer.from('First file\n'), 'text/plain', 'first.txt');
    const second = await uploaded(Buffer.from('Second file\n'), 'text/plain', 'second.txt');
    const keys = await t.database.asOwner((owner) =>
      queryRows<{ id: string; storage_key: string }>(
        owner,
        sql`select id, storage_key from cases_attachments where id in (${first.id}, ${second.id})`,
      ),
    );
    const fileOf = (id: string) => {
      const key = keys.find((row) => row.id === id)!.storage_key;
      return path.join(filesFolder(t.config), key.slice(0, 2), key);
    };
    // The second attachment's file is replaced by the first's (same organisation, same case, valid ciphertext).
    writeFileSync(fileOf(second.id), readFileSync(fileOf(first.id)));
    await stepUp(db(), worker.sessionId);
    const res = await download(worker, second.id);
    expect(res.statusCode).toBe(500);
    expect(res.body.includes('First file')).toBe(false);
    expect(await downloadsAudited(second.id)).toEqual([]);
  });
});
