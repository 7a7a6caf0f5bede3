import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * A backup file is a plain POSIX tar archive (`tar tf backup.tar` lists it): `manifest.json` first, then the
 * database payload. Written and read here by hand (a few dozen lines) rather than through a dependency.
 * Sizes above 8 GiB use the base-256 size field that GNU tar and bsdtar read.
 */

const block = 512;

/** One file to put in the archive: its bytes, or a file on disk to stream. */
export type ArchiveEntry = { name: string; data: Buffer } | { name: string; path: string };

/** One file found in an archive: where its bytes are. */
export interface ArchiveMember {
  name: string;
  size: number;
  /** Offset of the first byte of the file's data in the archive. */
  offset: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtime: Date): Buffer {
  const head = Buffer.alloc(block);
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`archive member name too long: ${name}`);
  nameBytes.copy(head, 0);
  head.write(octal(0o600, 8), 100, 'ascii');
  head.write(octal(0, 8), 108, 'ascii');
  head.write(octal(0, 8), 116, 'ascii');
  if (size < 8 ** 11) head.write(octal(size, 12), 124, 'ascii');
  else {
    // Base-256: high bit set, then the size big-endian in the remaining 11 bytes.
    head[124] = 0x80;
    let rest = BigInt(size);
    for (let i = 135; i > 124; i--) {
      head[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
  }
  head.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  head.write(' '.repeat(8), 148, 'ascii');
  head.write('0', 156, 'ascii');
  head.write('ustar\0', 257, 'ascii');
  head.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of head) sum += byte;
  head.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return head;
}

function parseSize(head: Buffer): number {
  if ((head[124]! & 0x80) !== 0) {
    let size = 0n;
    for (let i = 125; i < 136; i++) size = (size << 8n) | BigInt(head[i]!);
    return Number(size);
  }
  const text = head.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(text)) throw new Error('not a Cairn backup: bad tar size field');
  return parseInt(text, 8);
}

/**
 * Writes a tar archive to `file`, which must not exist yet (never overwrites a backup; mode 0600 because
 * a backup holds personal data). Returns the SHA-256 and size of each member as written.
 */
export async function writeArchive(
  file: string,
  entries: ArchiveEntry[],
): Promise<Map<string, { bytes: number; sha256: string }>> {
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const written = new Map<string, { bytes: number; sha256: string }>();
  const now = new Date();
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const entry of entries) {
      const size = 'data' in entry ? entry.data.length : (await stat(entry.path)).size;
      yield header(entry.name, size, now);
      const hash = createHash('sha256');
      let bytes = 0;
      if ('data' in entry) {
        hash.update(entry.data);
        bytes = entry.data.length;
        yield entry.data;
      } else {
        for await (const chunk of createReadStream(entry.path)) {
          const buffer = chunk as Buffer;
          hash.update(buffer);
          bytes += buffer.length;
          yield buffer;
        }
      }
      // The file changed while it was being archived: the header would lie.
      if (bytes !== size) throw new Error(`${entry.name} changed size while it was archived`);
      if (size % block) yield Buffer.alloc(block - (size % block));
      written.set(entry.name, { bytes, sha256: hash.digest('hex') });
    }
    yield Buffer.alloc(block * 2);
  }
  await pipeline(chunks, out);
  return written;
}

/** Lists the members of a tar archive (regular files only), checking each header's checksum. */
export async function listArchive(file: string): Promise<ArchiveMember[]> {
  const handle = await open(file, 'r');
  try {
    const { size: total } = await handle.stat();
    const members: ArchiveMember[] = [];
    let at = 0;
    const head = Buffer.alloc(block);
    while (at + block <= total) {
      await handle.read(head, 0, block, at);
      if (head.every((byte) => byte === 0)) break;
      if (head.toString('ascii', 257, 262) !== 'ustar') throw new Error('not a Cairn backup: not a tar file');
      let sum = 0;
      for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i]!;
      const recorded = parseInt(head.toString('ascii', 148, 156).replace(/[\0 ]/g, ''), 8);
      if (sum !== recorded) throw new Error('not a Cairn backup: a tar header is damaged');
      const name = head.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const size = parseSize(head);
      const type = String.fromCharCode(head[156]!);
      if (type === '0' || type === '\0') members.push({ name, size, offset: at + block });
      at += block + Math.ceil(size / block) * block;
      if (at > total) throw new Error('not a Cairn backup: the file is truncated');
    }
    return members;
  } finally {
    await handle.close();
  }
}

/** Reads a (small) member into memory, refusing one larger than `maxBytes`. */
export async function readMember(file: string, member: ArchiveMember, maxBytes: number): Promise<Buffer> {
  if (member.size > maxBytes) throw new Error(`${member.name} is larger than expected`);
  const handle = await open(file, 'r');
  try {
    const data = Buffer.alloc(member.size);
    await handle.read(data, 0, member.size, member.offset);
    return data;
  } finally {
    await handle.close();
  }
}

/** Copies a member to a new file (mode 0600), returning the SHA-256 of what was copied. */
export async function extractMember(file: string, member: ArchiveMember, to: string): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  if (member.size === 0) {
    await pipeline(async function* () {}, createWriteStream(to, { flags: 'wx', mode: 0o600 }));
    return hash.digest('hex');
  }
  await pipeline(
    createReadStream(file, { start: member.offset, end: member.offset + member.size - 1 }),
    tap,
    createWriteStream(to, { flags: 'wx', mode: 0o600 }),
  );
  return hash.digest('hex');
}
