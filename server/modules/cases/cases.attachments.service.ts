import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Queryable, Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { fileStoreFor, newStorageKey, type FileStore } from '../../kernel/storage/storage.js';
import { hasRecentStepUp, namedPerson, personNames, requireRecentStepUp } from '../identity/index.js';
import { reachCase, requireAbility } from './cases.access.js';
import { checkAttachment, declaredFormat, downloadName, fileNameOf } from './cases.attachments.content.js';
import type { Attachment, AttachmentList } from './cases.attachments.schemas.js';
import { casesAttachments } from './cases.attachments.tables.js';
import { casesFiles } from './cases.tables.js';

/**
 * Attachments of a case file (issue 5): documents, photos and recordings. They follow the case's rules —
 * whoever reads the case lists them, whoever may add entries uploads — and, being identifying, their names
 * and contents are shown only after a recent step-up, through a route that audits every download.
 *
 * SECURITY: at rest a file is encrypted (AES-256-GCM) with a random key of its own, bound to its
 * organisation, case and row; that key and the file name are sealed with the organisation's key in the
 * row (kernel.keys), so rotating the organisation's key re-seals them and never needs the file rewritten.
 * The store sees only ciphertext under a random key.
 */

/** Tells the keyring what this table encrypts, so key rotation re-seals file keys and names. */
export function registerAttachmentEncryption(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: casesAttachments,
    id: casesAttachments.id,
    organisation: casesAttachments.organisationId,
    encrypted: [casesAttachments.keySealed, casesAttachments.nameSealed],
  });
}

type AttachmentRow = typeof casesAttachments.$inferSelect;

const place = (row: { organisationId: string; id: string }, column: 'key_sealed' | 'name_sealed') => ({
  organisationId: row.organisationId,
  table: 'cases_attachments',
  column,
  rowId: row.id,
});

/** The stored form of a file: a format tag, the nonce, the GCM tag, then the ciphertext. */
const storedFormat = Buffer.from('CAF1');

/** Binds a file's ciphertext to where it belongs: a stored file moved to another row does not open. */
function contentAad(row: { organisationId: string; caseId: string; id: string }): Buffer {
  return Buffer.from(JSON.stringify(['cairn.attachment', row.organisationId, row.caseId, row.id]), 'utf8');
}

/** Encrypts a file's content (AES-256-GCM under its own key, bound to `aad`) in the stored format. */
export function encryptContent(key: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([storedFormat, nonce, cipher.getAuthTag(), body]);
}

/** Decrypts what encryptContent stored, with the same key and aad; throws if anything was altered. */
export function decryptContent(key: Buffer, aad: Buffer, stored: Buffer): Buffer {
  if (stored.length < 32 || !stored.subarray(0, 4).equals(storedFormat))
    throw new Error('attachment: not a stored file');
  const decipher = createDecipheriv('aes-256-gcm', key, stored.subarray(4, 16));
  decipher.setAAD(aad);
  decipher.setAuthTag(stored.subarray(16, 32));
  return Buffer.concat([decipher.update(stored.subarray(32)), decipher.final()]);
}

function storeOf(ctx: Ctx): FileStore {
  return fileStoreFor(ctx.kernel.config);
}

/**
 * Writes a stored file again for the organisation its case moves to (a transfer). SECURITY: the content is
 * bound to its organisation (contentAad), so it is decrypted and encrypted anew, under a new file key and a new
 * storage key; nothing is copied as it was. The old file stays until the move commits (the caller deletes it
 * then), and the new one is the caller's to delete if the move does not commit.
 */
export async function reencryptForMove(
  ctx: Ctx,
  row: { organisationId: string; caseId: string; id: string; storageKey: string },
  fileKey: Buffer,
  toOrganisationId: string,
): Promise<{ storageKey: string; fileKey: Buffer }> {
  const store = storeOf(ctx);
  const content = decryptContent(fileKey, contentAad(row), await store.get(row.storageKey));
  const moved = { storageKey: newStorageKey(), fileKey: randomBytes(32) };
  await store.put(
    moved.storageKey,
    encryptContent(moved.fileKey, contentAad({ ...row, organisationId: toOrganisationId }), content),
  );
  return moved;
}

async function presentAttachments(ctx: Ctx, db: Queryable, rows: AttachmentRow[], reveal: boolean) {
  const names = await personNames(
    db,
    rows.map((row) => row.createdBy),
  );
  return Promise.all(
    rows.map(async (row): Promise<Attachment> => ({
      id: row.id,
      kind: row.kind,
      mediaType: row.mediaType,
      sizeBytes: row.sizeBytes,
      name: reveal ? await ctx.kernel.keys.openField(db, place(row, 'name_sealed'), row.nameSealed) : null,
      createdBy: namedPerson(names, row.createdBy),
      createdAt: row.createdAt.toISOString(),
    })),
  );
}

/**
 * The caller may put a file on this case: called before the body is read, so that strangers (404) and
 * readers without the right (403) cannot make the server receive their file.
 */
export async function assertMayUpload(ctx: Ctx, caseId: string): Promise<void> {
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    requireAbility(await reachCase(ctx, tx, caseId), 'addEntries');
  });
}

/** Checks an uploaded file by its content, then stores it encrypted and attaches it to the case. */
export async function uploadAttachment(
  ctx: Ctx,
  caseId: string,
  upload: { body: Buffer; contentType: string | undefined; fileName: string | string[] | undefined },
): Promise<Attachment> {
  // The name first: refusing it costs nothing, checking the content may cost a photo's decoding.
  const name = fileNameOf(upload.fileName, declaredFormat(upload.contentType));
  const checked = await checkAttachment(upload.body, upload.contentType);
  const store = storeOf(ctx);
  const storageKey = newStorageKey();
  const fileKey = randomBytes(32);
  let stored = false;
  try {
    return await inTransaction(ctx.kernel.database.db, async (tx) => {
      const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
      requireAbility(reached, 'addEntries');
      const { row: caseRow, member } = reached;
      const id = randomUUID();
      const at = { organisationId: caseRow.organisationId, caseId, id };
      // The file is stored before the row commits; if the transaction fails the file is deleted below.
      await store.put(storageKey, encryptContent(fileKey, contentAad(at), checked.content));
      stored = true;
      const [row] = await tx
        .insert(casesAttachments)
        .values({
          id,
          caseId,
          organisationId: caseRow.organisationId,
          kind: checked.kind,
          mediaType: checked.mediaType,
          sizeBytes: checked.content.length,
          storageKey,
          keySealed: await ctx.kernel.keys.sealField(tx, place(at, 'key_sealed'), fileKey.toString('base64')),
          nameSealed: await ctx.kernel.keys.sealField(tx, place(at, 'name_sealed'), name),
          createdBy: member.personId,
        })
        .returning();
      await tx.update(casesFiles).set({ updatedAt: new Date() }).where(eq(casesFiles.id, caseId));
      await recordAudit(
        tx,
        {
          action: 'cases.attachment_added',
          organisationId: caseRow.organisationId,
          objectType: 'case_file',
          objectId: caseId,
          details: {
            attachmentId: id,
            kind: checked.kind,
            mediaType: checked.mediaType,
            sizeBytes: row!.sizeBytes,
          },
        },
        ctx.audit,
      );
      // The uploader just chose the name: showing it back needs the same step-up as reading it.
      const [presented] = await presentAttachments(ctx, tx, [row!], hasRecentStepUp(ctx));
      return presented!;
    });
  } catch (error) {
    if (stored) await store.delete(storageKey).catch(() => undefined);
    throw error;
  }
}

/** A case's attachments, newest first; their names only with `reveal` after a step-up. Audited. */
export async function listAttachments(ctx: Ctx, caseId: string, reveal: boolean): Promise<AttachmentList> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId);
    if (reveal) requireRecentStepUp(ctx);
    const rows = await tx
      .select()
      .from(casesAttachments)
      .where(
        // SECURITY: tenant condition in the query as well as by row-level security.
        and(
          eq(casesAttachments.caseId, caseId),
          eq(casesAttachments.organisationId, reached.row.organisationId),
        ),
      )
      .orderBy(desc(casesAttachments.createdAt), desc(casesAttachments.id));
    await recordAudit(
      tx,
      {
        action: 'cases.attachments_listed',
        organisationId: reached.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { count: rows.length, revealed: reveal, via: reached.access.via },
      },
      ctx.audit,
    );
    return {
      items: await presentAttachments(ctx, tx, rows, reveal),
      abilities: { upload: reached.abilities.addEntries, download: reached.abilities.reveal },
    };
  });
}

/** A file to send: its content (decrypted) and how to label it. */
export interface AttachmentDownload {
  content: Buffer;
  mediaType: string;
  fileName: string;
}

/**
 * One attachment's content, for someone who reads the case and stepped up recently. SECURITY: the download
 * is audited (who, which case, which attachment — never its name) in the same transaction that opens the
 * file's key, so no content leaves without its audit row.
 */
export async function downloadAttachment(
  ctx: Ctx,
  caseId: string,
  attachmentId: string,
): Promise<AttachmentDownload> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId);
    requireAbility(reached, 'reveal');
    requireRecentStepUp(ctx);
    const row = await attachmentOf(tx, reached.row.organisationId, caseId, attachmentId);
    const fileKey = Buffer.from(
      await ctx.kernel.keys.openField(tx, place(row, 'key_sealed'), row.keySealed),
      'base64',
    );
    const name = await ctx.kernel.keys.openField(tx, place(row, 'name_sealed'), row.nameSealed);
    const content = decryptContent(fileKey, contentAad(row), await storeOf(ctx).get(row.storageKey));
    await recordAudit(
      tx,
      {
        action: 'cases.attachment_downloaded',
        organisationId: row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { attachmentId: row.id, kind: row.kind, via: reached.access.via },
      },
      ctx.audit,
    );
    return { content, mediaType: row.mediaType, fileName: downloadName(name, row.mediaType) };
  });
}

async function attachmentOf(
  tx: Tx,
  organisationId: string,
  caseId: string,
  attachmentId: string,
): Promise<AttachmentRow> {
  const [row] = await tx
    .select()
    .from(casesAttachments)
    .where(
      and(
        eq(casesAttachments.id, attachmentId),
        eq(casesAttachments.caseId, caseId),
        eq(casesAttachments.organisationId, organisationId),
      ),
    );
  if (!row) throw new AppError('not_found');
  return row;
}
