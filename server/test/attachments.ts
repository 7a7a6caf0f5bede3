import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Files for the case-attachment tests, built here byte by byte (or drawn with sharp) so each test says
 * exactly what is in them: honest files of every accepted format, and their hostile twins.
 */

/** A photo with a GPS position, a camera description holding `marker`, and an orientation tag (6: turn right). */
export async function jpegWithGps(marker: string, width = 64, height = 32): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withExif({
      IFD0: {
        ImageDescription: `${marker} description`,
        Artist: `${marker} artist`,
        Make: 'Cairn test camera',
      },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '1/1 17/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '36/1 49/1 0/1',
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A small photo in a format sharp writes. */
export async function photo(format: 'jpeg' | 'png' | 'webp', width = 8, height = 8): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .toFormat(format)
    .toBuffer();
}

/** A PDF with one page of text, its objects given as written (extra ones may be added to the catalog). */
export function pdf(
  options: { text?: string; catalog?: string; objects?: string[]; tail?: string } = {},
): Buffer {
  const content = `BT /F1 12 Tf 20 100 Td (${options.text ?? 'A page of notes'}) Tj ET`;
  const objects = [
    `<< /Type /Catalog /Pages 2 0 R ${options.catalog ?? ''} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    ...(options.objects ?? []),
  ];
  let body = '%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${options.tail ?? ''} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A stream object whose data is given bytes (binary allowed), with its dictionary's extra entries. */
export function pdfStream(data: Buffer, dictionary = ''): string {
  return `<< /Length ${data.length} ${dictionary} >>\nstream\n${data.toString('latin1')}\nendstream`;
}

/** A PDF 1.5 object stream (compressed) holding the given objects: where an action can hide from a plain scan. */
export function pdfObjectStream(objects: string[]): string {
  const numbers: string[] = [];
  let text = '';
  objects.forEach((object, index) => {
    numbers.push(`${100 + index} ${text.length}`);
    text += `${object}\n`;
  });
  const header = `${numbers.join(' ')}\n`;
  const packed = deflateSync(Buffer.from(header + text, 'latin1'));
  return pdfStream(packed, `/Type /ObjStm /N ${objects.length} /First ${header.length} /Filter /FlateDecode`);
}

/** A WAV file: 16-bit mono PCM at 8 kHz, `samples` samples of a saw tooth. */
export function wav(samples = 800): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let index = 0; index < samples; index++)
    data.writeInt16LE(((index * 500) % 30_000) - 15_000, index * 2);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(16_000, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/** Three MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) behind an empty ID3v2 tag. */
export function mp3(frames = 3): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0]);
  const frame = Buffer.alloc(417);
  Buffer.from([0xff, 0xfb, 0x90, 0x64]).copy(frame);
  return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc;
}

function oggPage(payload: Buffer, flags: number, sequence: number): Buffer {
  const segments: number[] = [];
  let left = payload.length;
  while (left >= 255) {
    segments.push(255);
    left -= 255;
  }
  segments.push(left);
  const head = Buffer.alloc(27);
  head.write('OggS', 0, 'ascii');
  head[5] = flags;
  head.writeUInt32LE(0x43414952, 14); // stream serial number
  head.writeUInt32LE(sequence, 18);
  head[26] = segments.length;
  const page = Buffer.concat([head, Buffer.from(segments), payload]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** An Ogg Opus stream: its identification header page, its comment page, and one page of (silent) audio. */
export function ogg(): Buffer {
  const opusHead = Buffer.alloc(19);
  opusHead.write('OpusHead', 0, 'ascii');
  opusHead[8] = 1; // version
  opusHead[9] = 1; // channels
  opusHead.writeUInt32LE(48_000, 12);
  const tags = Buffer.concat([
    Buffer.from('OpusTags', 'ascii'),
    Buffer.from([4, 0, 0, 0]),
    Buffer.from('test'),
    Buffer.alloc(4),
  ]);
  return Buffer.concat([
    oggPage(opusHead, 0x02, 0),
    oggPage(tags, 0x00, 1),
    oggPage(Buffer.from([0xf8, 0xff, 0xfe]), 0x04, 2),
  ]);
}

function box(type: string, ...children: Buffer[]): Buffer {
  const body = Buffer.concat(children);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'ascii');
  return Buffer.concat([head, body]);
}

/** An MP4 audio file (M4A): a movie with one track whose handler is `handler` (`soun`, or `vide` for a video). */
export function m4a(handler = 'soun', brand = 'M4A '): Buffer {
  const ftyp = box('ftyp', Buffer.from(`${brand}\0\0\0\0${brand}isom`, 'latin1'));
  const hdlr = box('hdlr', Buffer.alloc(4), Buffer.alloc(4), Buffer.from(handler, 'ascii'), Buffer.alloc(13));
  const moov = box(
    'moov',
    box('mvhd', Buffer.alloc(100)),
    box('trak', box('mdia', box('mdhd', Buffer.alloc(24)), hdlr)),
  );
  return Buffer.concat([ftyp, moov, box('mdat', Buffer.alloc(64, 0x21))]);
}

/** An ISO media file that says it is a HEIC photo (brand heic) with an empty item list. */
export function heic(): Buffer {
  return Buffer.concat([
    box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'latin1')),
    box('meta', Buffer.alloc(4), box('hdlr', Buffer.alloc(8), Buffer.from('pict'), Buffer.alloc(13))),
  ]);
}
