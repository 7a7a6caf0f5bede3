import fc from 'fast-check';
import { encodeQuery, urlOf, wellFormed, type JsonSchema, type Operation } from './openapi.js';

/**
 * fast-check arbitraries built from an operation's JSON Schemas: well-behaved values (what the web client
 * sends) and hostile ones (wrong types, huge strings, deep nesting, prototype-pollution keys, invalid
 * UTF-8, mixed scripts), mixed so that one broken field sits inside an otherwise valid request.
 */

/** A piece of JSON text inserted verbatim by {@link toJsonText} (deep nesting, duplicate keys). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a value; {@link RawJson} pieces are emitted verbatim and own `__proto__` keys are kept. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((item) => toJsonText(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${toJsonText((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value ?? null);
}

/** Strings a careless decoder, database or renderer trips on. Each is a single value. */
export const nastyStrings = [
  '',
  ' ',
  '\u0000',
  'nul\u0000inside',
  '\uD800',
  'lone \uDC00 surrogate',
  '\u202Eevil\u202C',
  'zero\u200Bwidth\uFEFF',
  'Ａｌｉｃｅ', // fullwidth
  'Кайрн Cairn كيرن ケアン 凯恩 कैर्न', // mixed scripts
  'раураl', // Cyrillic look-alike of "paypal"
  'مرحبا\u200Fhello\u200E', // right-to-left marks
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301', // stacked combining marks
  '👩🏽‍⚖️🏳️‍🌈🇰🇪',
  "' OR '1'='1",
  "'; drop table identity_people; --",
  '" or ""="',
  '1) or (1=1',
  '$1',
  '\\',
  '%',
  '_',
  '%00',
  '%s%s%s%n',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  'C:\\Windows\\system32',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '1e309',
  '9007199254740993',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'a@b',
  '+0000000000000000',
  '2026-02-30T25:61:61Z',
  '\r\nSet-Cookie: x=1',
  'line\nbreak\ttab\r',
];

/** Numbers at the edges: zero signs, precision, overflow. */
export const nastyNumbers = [
  0,
  -0,
  -1,
  0.5,
  1e-320,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
];

/** Text of one script or many, as real people write names in Cairn's four languages and beyond. */
const wordsArb = fc.constantFrom(
  'shelter',
  'Nairobi',
  'Mombasa',
  'legal aid',
  'Asociación',
  'Société',
  'مأوى',
  'الدار البيضاء',
  'Ñuñoa',
  'Łódź',
  'İstanbul',
  'Đà Nẵng',
  'กรุงเทพ',
  '서울',
  '東京',
  'नेपाल',
  'Кишинёв',
  'ⴰⵎⴰⵣⵉⵖ',
);
const textArb = (min: number, max: number) =>
  fc
    .oneof(
      { arbitrary: fc.array(wordsArb, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')), weight: 3 },
      { arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 40) }), weight: 2 },
      { arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 20) }), weight: 1 },
    )
    .map((s) => (s.length > max ? s.slice(0, max) : s.length < min ? s.padEnd(min, 'x') : s));

const primaryType = (schema: JsonSchema): string | undefined => {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
};

/** Options shared by the generators. */
export interface GenerationOptions {
  /** Real ids (the caller's organisation, membership…) so some requests reach past "not found". */
  ids?: readonly string[];
  /** The same ids by kind (`organisation`, `membership`, `person`…), matched against parameter names. */
  idsByKind?: Record<string, readonly string[]>;
  /** Known good values by property name (`placeId` → places that exist), used wherever that name appears. */
  examples?: Record<string, readonly unknown[]>;
  /** Objects with their required keys only (no optional ones). */
  minimal?: boolean;
  /** `nasty`: free-text fields carry type-correct but hostile text (NUL, lone surrogates, injections…). */
  text?: 'plain' | 'nasty';
}

/** Values that satisfy the common patterns and their refinements (real countries, languages, regions). */
const knownGood = [
  'KE',
  'FR',
  'ES',
  'MA',
  'UG',
  'XK',
  'en',
  'fr',
  'es',
  'ar',
  'sw',
  'KE.30',
  'KE.05',
  'MA.04',
  '+254700000000',
  '-1.28,36.82',
  '2026-01-15',
];

function stringArb(schema: JsonSchema, options: GenerationOptions): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 200;
  const fits = (s: string) => s.length >= min && s.length <= max;
  switch (schema.format) {
    case 'uuid':
      return options.ids?.length ? fc.oneof(fc.constantFrom(...options.ids), fc.uuid()) : fc.uuid();
    case 'email':
      // Plain addresses every validator accepts (fast-check's RFC-exotic ones stop at the door).
      return fc
        .stringMatching(/^[a-z]{2,10}(\.[a-z]{2,8})?@[a-z]{3,10}\.(org|test|ke|ma)$/)
        .filter((s) => fits(s));
    case 'uri':
    case 'url':
      return fc.webUrl({ validSchemes: ['https'] }).filter(fits);
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
  }
  if (schema.pattern) {
    try {
      const pattern = new RegExp(schema.pattern);
      const good = knownGood.filter((value) => pattern.test(value) && fits(value));
      const matching = fc
        .stringMatching(pattern)
        .map((s) => s.slice(0, max))
        .filter(fits);
      return good.length ? fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 8 }, matching) : matching;
    } catch {
      // A pattern fast-check cannot invert: fall back to text.
    }
  }
  const plain = textArb(min, max);
  if (options.text !== 'nasty') return plain;
  const fitted = (s: string) => (s.length > max ? s.slice(0, max) : s.length < min ? s.padEnd(min, 'x') : s);
  return fc.oneof(
    { arbitrary: plain, weight: 1 },
    { arbitrary: fc.constantFrom(...nastyStrings).map(fitted), weight: 3 },
    // As long as allowed, in a script that takes several bytes per character.
    { arbitrary: fc.constantFrom('ش', '字', '👩🏽‍⚖️', "'").map((unit) => fitted(unit.repeat(max))), weight: 1 },
  );
}

/** A valid value for an object's property: a known good example for its name, else one from its schema. */
function propertyValue(
  key: string,
  schema: JsonSchema,
  options: GenerationOptions,
  depth: number,
): fc.Arbitrary<unknown> {
  const examples = options.examples?.[key];
  if (examples?.length) return fc.constantFrom(...examples);
  // An id field names its kind (`membershipId`): offer the caller's own ids of that kind.
  const kind = Object.keys(options.idsByKind ?? {}).find((k) => key.toLowerCase().includes(k.toLowerCase()));
  if (schema.format === 'uuid' && kind) {
    return fc.oneof({ arbitrary: fc.constantFrom(...options.idsByKind![kind]!), weight: 3 }, fc.uuid());
  }
  return validValue(schema, options, depth);
}

/** A value a well-behaved client could send for this schema (refinements aside). */
export function validValue(
  schema: JsonSchema,
  options: GenerationOptions = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => validValue(s, options, depth)));
  if (schema.allOf?.length) {
    return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, options, depth);
  }
  const types = Array.isArray(schema.type) ? schema.type : [];
  if (types.includes('null') && types.length > 1) {
    return fc.oneof(
      { arbitrary: validValue({ ...schema, type: primaryType(schema) }, options, depth), weight: 3 },
      { arbitrary: fc.constant(null), weight: 1 },
    );
  }
  switch (primaryType(schema)) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min =
        schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max =
        schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 100_000);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.min(max, 2 ** 31 - 1)) });
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1000;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 100_000;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'string':
      return stringArb(schema, options);
    case 'array': {
      const item = schema.items ?? {};
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
      if (depth > 6) return fc.constant([]);
      return schema.uniqueItems || item.enum || item.pattern
        ? fc.uniqueArray(validValue(item, options, depth + 1), {
            minLength: Math.min(minLength, item.enum?.length ?? minLength),
            maxLength,
            selector: (v) => JSON.stringify(v),
          })
        : fc.array(validValue(item, options, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      if (depth > 6) return fc.constant({});
      // Required keys plus a few optional ones: a body with every optional field set rarely passes every
      // refinement, and requests that fail validation never reach the code worth attacking.
      const required = Object.keys(properties).filter((k) => schema.required?.includes(k));
      const optional = Object.keys(properties).filter((k) => !schema.required?.includes(k));
      return fc
        .subarray(optional, { maxLength: options.minimal ? 0 : Math.min(3, optional.length) })
        .chain((chosen) =>
          fc.record(
            Object.fromEntries(
              [...required, ...chosen].map((k) => [k, propertyValue(k, properties[k]!, options, depth + 1)]),
            ),
          ),
        );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A prototype-pollution attempt as JSON would deliver it (own `__proto__` keys, as JSON.parse makes them). */
export const pollutionArb: fc.Arbitrary<unknown> = fc.constantFrom(
  JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as unknown,
  JSON.parse('{"__proto__":{"isAdmin":true},"a":1}') as unknown,
  JSON.parse('[{"__proto__":{"polluted":"yes"}}]') as unknown,
  new RawJson('{"__proto__":{"polluted":"yes"},"__proto__":{"polluted":"twice"}}'),
);

/** Nesting deep enough to exhaust a recursive parser or validator. */
export const deepArb: fc.Arbitrary<RawJson> = fc
  .tuple(fc.constantFrom(64, 1_000, 10_000, 100_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? new RawJson('['.repeat(depth) + ']'.repeat(depth))
      : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  );

/** Strings from a few kilobytes to past the body limit, in several scripts. */
export const hugeStringArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('x', 'ش', '字', '👩🏽‍⚖️', "'", '\u0000', '\\'), fc.constantFrom(5_000, 70_000, 400_000))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));

/** A value of the wrong shape for the schema (and sometimes of the right type but absurd). */
export function wrongTypeArb(schema: JsonSchema): fc.Arbitrary<unknown> {
  const type = primaryType(schema);
  const others: fc.Arbitrary<unknown>[] = [
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(...nastyNumbers),
    fc.constantFrom(...nastyStrings),
    fc.constant([]),
    fc.constant({}),
    fc.array(fc.constantFrom(...nastyStrings), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...nastyStrings), fc.constantFrom(...nastyStrings), { maxKeys: 3 }),
  ];
  if (type === 'string') others.push(fc.constantFrom(...nastyStrings), fc.constantFrom(...nastyStrings));
  return fc.oneof(...others);
}

/** A hostile value in place of a value of this schema. */
export function hostileValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: wrongTypeArb(schema), weight: 4 },
    { arbitrary: fc.constantFrom(...nastyStrings), weight: 3 },
    { arbitrary: hugeStringArb, weight: 1 },
    { arbitrary: deepArb, weight: 1 },
    { arbitrary: pollutionArb, weight: 1 },
  );
}

/**
 * A valid-looking value with hostile parts: at every node, either the node itself is replaced by something
 * hostile, or its children are built the same way. Objects sometimes gain unknown or polluting keys.
 */
export function mutatedValue(
  schema: JsonSchema,
  options: GenerationOptions = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  const type = primaryType(schema);
  const valid = validValue(schema, options, depth);
  if (depth > 4) return fc.oneof(valid, hostileValue(schema));
  if (type === 'object' && schema.properties) {
    const properties = schema.properties;
    const children = fc.record(
      Object.fromEntries(
        Object.entries(properties).map(([k, s]) => [
          k,
          fc.oneof(
            { arbitrary: validValue(s, options, depth + 1), weight: 3 },
            { arbitrary: mutatedValue(s, options, depth + 1), weight: 2 },
          ),
        ]),
      ),
      { requiredKeys: [] },
    );
    const extraKeys = fc.oneof(
      { arbitrary: fc.constant({}), weight: 6 },
      {
        arbitrary: fc.dictionary(fc.constantFrom(...nastyStrings), fc.jsonValue({ maxDepth: 1 })),
        weight: 1,
      },
      { arbitrary: pollutionArb as fc.Arbitrary<Record<string, unknown>>, weight: 1 },
    );
    const structured = fc.tuple(children, extraKeys).map(([own, extra]) => {
      // Copy own keys one by one so an own "__proto__" key stays a key (Object.assign would set the prototype).
      const out = JSON.parse('{}') as Record<string, unknown>;
      if (extra && typeof extra === 'object' && !(extra instanceof RawJson)) {
        for (const key of Object.keys(extra))
          Object.defineProperty(out, key, {
            value: (extra as never)[key],
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      for (const key of Object.keys(own)) out[key] = own[key];
      return out;
    });
    return fc.oneof({ arbitrary: structured, weight: 4 }, { arbitrary: hostileValue(schema), weight: 1 });
  }
  if (type === 'array' && schema.items) {
    const item = schema.items;
    const structured = fc.array(
      fc.oneof(
        { arbitrary: validValue(item, options, depth + 1), weight: 2 },
        { arbitrary: mutatedValue(item, options, depth + 1), weight: 1 },
      ),
      { maxLength: 4 },
    );
    const tooMany = fc
      .constant(schema.maxItems ?? 1000)
      .map((n) => Array.from({ length: Math.min(n + 1, 5000) }, () => 'x'));
    return fc.oneof(
      { arbitrary: structured, weight: 4 },
      { arbitrary: tooMany, weight: 1 },
      { arbitrary: hostileValue(schema), weight: 2 },
    );
  }
  return fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: hostileValue(schema), weight: 3 });
}

/**
 * A valid value with exactly one hostile part somewhere inside it: the shape most likely to get past every
 * other check and reach the code that handles the broken field.
 */
export function oneHostileLeaf(
  schema: JsonSchema,
  options: GenerationOptions = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  const type = primaryType(schema);
  const self = hostileValue(schema);
  if (depth > 4) return self;
  if (type === 'object' && schema.properties && Object.keys(schema.properties).length > 0) {
    const properties = schema.properties;
    const required = new Set(schema.required ?? []);
    const descend = fc
      .constantFrom(...Object.keys(properties))
      .chain((target) =>
        fc.record(
          Object.fromEntries(
            Object.entries(properties).map(([k, s]) => [
              k,
              k === target ? oneHostileLeaf(s, options, depth + 1) : validValue(s, options, depth + 1),
            ]),
          ),
          { requiredKeys: Object.keys(properties).filter((k) => k === target || required.has(k)) },
        ),
      );
    return fc.oneof({ arbitrary: descend, weight: 4 }, { arbitrary: self, weight: 1 });
  }
  if (type === 'array' && schema.items) {
    const item = schema.items;
    const descend = fc
      .tuple(
        fc.array(validValue(item, options, depth + 1), { maxLength: 2 }),
        oneHostileLeaf(item, options, depth + 1),
        fc.nat(),
      )
      .map(([items, bad, at]) => {
        const copy = [...items];
        copy.splice(at % (copy.length + 1), 0, bad);
        return copy;
      });
    return fc.oneof({ arbitrary: descend, weight: 3 }, { arbitrary: self, weight: 1 });
  }
  return self;
}

/** True for a string that takes free text (no enum, format or pattern to stop hostile text at the door). */
const isFreeText = (schema: JsonSchema) =>
  primaryType(schema) === 'string' &&
  !schema.enum &&
  !schema.format &&
  !schema.pattern &&
  schema.const === undefined;

/** The paths (`[]` for "an item of") to every free-text string in a schema. */
export function freeTextPaths(schema: JsonSchema, depth = 0): string[][] {
  if (depth > 5) return [];
  if (isFreeText(schema)) return [[]];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.flatMap((s) => freeTextPaths(s, depth + 1));
  if (schema.properties) {
    return Object.entries(schema.properties).flatMap(([key, s]) =>
      freeTextPaths(s, depth + 1).map((path) => [key, ...path]),
    );
  }
  if (schema.items) return freeTextPaths(schema.items, depth + 1).map((path) => ['[]', ...path]);
  return [];
}

/** A minimal valid value whose part at `path` comes from `leaf`. */
export function withLeaf(
  schema: JsonSchema,
  path: readonly string[],
  leaf: fc.Arbitrary<unknown>,
  options: GenerationOptions = {},
): fc.Arbitrary<unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return leaf;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const fitting = alternatives.find((s) => freeTextPaths(s).some((p) => p.join('.') === path.join('.')));
    if (fitting) return withLeaf(fitting, path, leaf, options);
  }
  if (head === '[]') return withLeaf(schema.items ?? {}, rest, leaf, options).map((item) => [item]);
  const properties = schema.properties ?? {};
  const required = (schema.required ?? []).filter((k) => k !== head && properties[k]);
  return fc.record({
    ...Object.fromEntries(required.map((k) => [k, propertyValue(k, properties[k]!, options, 1)])),
    [head]: withLeaf(properties[head] ?? {}, rest, leaf, options),
  });
}

/**
 * A minimal valid value with one free-text field set to hostile but well-typed text (NUL, lone surrogates,
 * SQL, markup, right-to-left overrides, the longest allowed multi-byte text).
 */
export function hostileTextIn(
  schema: JsonSchema,
  options: GenerationOptions = {},
): fc.Arbitrary<unknown> | null {
  const paths = freeTextPaths(schema);
  if (paths.length === 0) return null;
  return fc
    .constantFrom(...paths)
    .chain((path) =>
      withLeaf(schema, path, stringArb(leafSchema(schema, path), { ...options, text: 'nasty' }), options),
    );
}

function leafSchema(schema: JsonSchema, path: readonly string[]): JsonSchema {
  const pick = (node: JsonSchema, want: (s: JsonSchema) => boolean) =>
    (node.anyOf ?? node.oneOf)?.find(want) ?? node;
  let node: JsonSchema = schema;
  for (const step of path) {
    node = pick(node, (s) => Boolean(s.properties || s.items));
    node = step === '[]' ? (node.items ?? {}) : (node.properties?.[step] ?? {});
  }
  return pick(node, isFreeText);
}

/** Bytes that are not UTF-8: stray continuation bytes, overlong forms, surrogates, truncated sequences. */
const invalidUtf8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xe2, 0x82],
  [0xf0, 0x28, 0x8c, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0x00],
];

/**
 * Uploaded files that are wrong in every way a file can be: CSV with hostile cells and formulas, invalid
 * UTF-8, a byte-order mark only, binary noise, a ZIP header (what an XLSX is) with garbage or a nested bomb
 * signature, a PDF/HTML polyglot, and an empty file.
 */
export const uploadArb: fc.Arbitrary<{ payload: string | Buffer; kind: string }> = fc.oneof(
  fc
    .array(
      fc.array(fc.constantFrom(...nastyStrings, '=cmd|" /c calc"!A1', '@SUM(1)', '+1', '-1'), {
        maxLength: 6,
      }),
      {
        maxLength: 20,
      },
    )
    .map((rows) => ({
      payload: rows.map((cells) => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n'),
      kind: 'CSV with hostile cells',
    })),
  fc.constantFrom(...invalidUtf8).map((bytes) => ({
    payload: Buffer.concat([Buffer.from('name,type\n'), Buffer.from(bytes), Buffer.from(',ngo\n')]),
    kind: 'CSV with invalid UTF-8',
  })),
  fc
    .uint8Array({ minLength: 0, maxLength: 4096 })
    .map((bytes) => ({ payload: Buffer.from(bytes), kind: 'binary noise' })),
  fc.uint8Array({ minLength: 0, maxLength: 2048 }).map((bytes) => ({
    payload: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(bytes)]),
    kind: 'a ZIP header with garbage',
  })),
  fc.constant({
    payload: Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]),
    kind: 'an empty ZIP',
  }),
  fc.constant({
    payload: '%PDF-1.4\n<html><script>alert(1)</script></html>,ngo\n',
    kind: 'a PDF/HTML polyglot',
  }),
  fc.constant({ payload: '\uFEFF', kind: 'a byte-order mark only' }),
  fc.constant({ payload: '', kind: 'an empty file' }),
  fc.constant({ payload: `name\n${'x,'.repeat(200_000)}\n`, kind: 'one enormous row' }),
);

/** JSON text with invalid UTF-8 bytes spliced in (inside a string, or anywhere). */
export function invalidUtf8Body(jsonText: string): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.constantFrom(...invalidUtf8), fc.nat(), fc.boolean())
    .map(([bytes, at, insideString]) => {
      const text = Buffer.from(jsonText, 'utf8');
      const quote = text.indexOf(0x22, at % Math.max(1, text.length));
      const position = insideString && quote >= 0 ? quote + 1 : at % (text.length + 1);
      return Buffer.concat([text.subarray(0, position), Buffer.from(bytes), text.subarray(position)]);
    });
}

/** One request as the fuzzer sends it through app.inject. */
export interface FuzzRequest {
  method: Operation['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What this request tries, for the failure report. */
  kind: string;
}

/** The caller's ids that fit a parameter, by its name (`organisationId` → organisations…), else all of them. */
function idsFor(name: string, options: GenerationOptions): readonly string[] {
  const byKind = options.idsByKind ?? {};
  const kind = Object.keys(byKind).find((k) => name.toLowerCase().includes(k.toLowerCase()));
  if (kind) return byKind[kind]!;
  if (name === 'id' && byKind.organisation) return byKind.organisation;
  return options.ids ?? [];
}

/** A path parameter as a client sends it: a real id of the caller's, or another id of the right form. */
function validPathValue(name: string, schema: JsonSchema, options: GenerationOptions): fc.Arbitrary<string> {
  const ids = idsFor(name, options);
  if (schema.format === 'uuid' && ids.length) {
    return fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 4 }, { arbitrary: fc.uuid(), weight: 1 });
  }
  return validValue(schema, options).map((v) => String(v));
}

/** A hostile path parameter: hostile text (percent-encoded), too long, or deliberately broken encodings. */
const hostilePathValue: fc.Arbitrary<{ value: string; raw: boolean }> = fc.oneof(
  {
    arbitrary: fc
      .constantFrom(...nastyStrings.filter((s) => s.length > 0))
      .map((value) => ({ value, raw: false })),
    weight: 4,
  },
  {
    arbitrary: fc
      .constantFrom('x'.repeat(199), 'x'.repeat(201), 'ش'.repeat(300))
      .map((value) => ({ value, raw: false })),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom(
        '%',
        '%ZZ',
        '%C3%28',
        '%E0%A4%A',
        '%00',
        '%2e%2e%2f',
        '..',
        '.',
        '%F0%9F',
        '%ED%A0%80',
        '%2F',
      )
      .map((value) => ({ value, raw: true })),
    weight: 2,
  },
);

/** A raw query string that no encoder would produce. */
const rawQueryArb = fc.constantFrom(
  '%ZZ=1',
  'q=%C3%28',
  'q=%ED%A0%80',
  'q=%00',
  '__proto__[polluted]=yes',
  '__proto__=x&constructor[prototype][polluted]=yes',
  'constructor.prototype.polluted=yes',
  'a[b][c][d][e][f][g]=1',
  '&&&==&=',
  'q',
  'q=1&q=2&q=3',
  `q=${'x'.repeat(6000)}`,
  Array.from({ length: 1500 }, (_, i) => `k${i}=${i}`).join('&'),
);

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/problem+json',
];

type Part<T> = { value: T; kind: string };

/** The parts of a valid request for an operation, so the generators can vary one part at a time. */
function validParts(op: Operation, options: GenerationOptions) {
  const validParams = fc.tuple(...op.pathParams.map((p) => validPathValue(p.name, p.schema, options)));
  const pathArb: fc.Arbitrary<Part<string>> = validParams.map((values) => ({
    value: urlOf(op, Object.fromEntries(op.pathParams.map((p, i) => [p.name, values[i]!]))),
    kind: 'valid path',
  }));
  const querySchema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(op.queryParams.map((p) => [p.name, p.schema])),
    required: op.queryParams.filter((p) => p.required).map((p) => p.name),
  };
  // A top-level hostile value (not an object) goes into the first parameter.
  const queryText = (q: unknown) =>
    encodeQuery(
      q !== null && typeof q === 'object' && !Array.isArray(q) && !(q instanceof RawJson)
        ? (q as Record<string, unknown>)
        : { [op.queryParams[0]?.name ?? 'q']: q instanceof RawJson ? q.text : q },
    );
  const validQuery = validValue(querySchema, options).map(queryText);
  return { validParams, pathArb, querySchema, queryText, validQuery };
}

/** Assembles a request from its parts. */
function assemble(
  op: Operation,
  path: string,
  query: string,
  body: { payload?: string | Buffer; contentType?: string },
  kind: string,
): FuzzRequest {
  const headers: Record<string, string> = {};
  if (body.contentType) headers['content-type'] = body.contentType;
  return {
    method: op.method,
    url: query ? `${path}?${query}` : path,
    headers,
    ...(body.payload !== undefined ? { payload: body.payload } : {}),
    kind,
  };
}

/**
 * Requests for one operation. Each attacks one place (a path parameter, the query, the body, or nothing:
 * a valid-looking request) and keeps the others valid, so the attack gets as far into the code as it can.
 */
export function requestArb(op: Operation, options: GenerationOptions = {}): fc.Arbitrary<FuzzRequest> {
  const nasty: GenerationOptions = { ...options, text: 'nasty' };
  const { validParams, pathArb, querySchema, queryText, validQuery } = validParts(op, options);
  // Path: every parameter valid, or one of them hostile.
  const hostilePathArb: fc.Arbitrary<Part<string>> | null = op.pathParams.length
    ? fc.tuple(validParams, fc.nat(op.pathParams.length - 1), hostilePathValue).map(([values, at, bad]) => {
        const encoded = op.pathParams.map((p, i) =>
          i === at
            ? bad.raw
              ? bad.value
              : encodeURIComponent(wellFormed(bad.value))
            : encodeURIComponent(values[i]!),
        );
        return {
          value: urlOf(op, Object.fromEntries(op.pathParams.map((p, i) => [p.name, encoded[i]!])), '', {
            raw: true,
          }),
          kind: `hostile path parameter ${op.pathParams[at]!.name}`,
        };
      })
    : null;

  // Query: valid, hostile text in one parameter, hostile values, or a raw query string.
  const queryTextProbe = hostileTextIn(querySchema, options);
  const hostileQueries: fc.Arbitrary<Part<string>>[] = [
    fc.tuple(validQuery, rawQueryArb).map(([q, raw]) => ({
      value: [q, raw].filter(Boolean).join('&'),
      kind: 'raw query string',
    })),
  ];
  if (op.queryParams.length) {
    hostileQueries.push(
      oneHostileLeaf(querySchema, options).map((q) => ({
        value: queryText(q),
        kind: 'one hostile query parameter',
      })),
      mutatedValue(querySchema, options).map((q) => ({
        value: queryText(q),
        kind: 'hostile query',
      })),
    );
    if (queryTextProbe) {
      const probe = queryTextProbe.map((q) => ({
        value: queryText(q),
        kind: 'hostile text in one query parameter',
      }));
      hostileQueries.push(probe, probe);
    }
  }

  // Body: valid, or broken in one of many ways.
  type Body = { payload?: string | Buffer; contentType?: string; kind: string };
  const json =
    (kind: string) =>
    (value: unknown): Body => ({ payload: toJsonText(value), contentType: 'application/json', kind });
  const bodySchema = op.body?.schema;
  const validBody: fc.Arbitrary<Body> =
    bodySchema && op.body?.contentType.includes('json')
      ? validValue(bodySchema, options).map(json('valid-looking body'))
      : op.body
        ? fc.constant({
            payload: 'name,type,countries\nCairn test,ngo,KE\n',
            contentType: op.body.contentType,
            kind: 'a small valid file',
          })
        : fc.constant({ kind: 'no body' });
  const hostileBodies: fc.Arbitrary<Body>[] = [];
  const rawTypes = op.body?.contentTypes.filter((type) => !type.includes('json')) ?? [];
  if (rawTypes.length > 0 && !op.body!.contentType.includes('json')) {
    // A file upload: the body is the file. Send files that are wrong in every way a file can be.
    const type = fc.constantFrom(...rawTypes);
    hostileBodies.push(
      fc.tuple(type, uploadArb).map(([contentType, file]) => ({ ...file, contentType })),
      fc.tuple(type, uploadArb).map(([contentType, file]) => ({ ...file, contentType })),
      fc.tuple(fc.constantFrom(...contentTypes), uploadArb).map(([contentType, file]) => ({
        ...file,
        contentType,
        kind: `${file.kind} as ${contentType}`,
      })),
    );
  } else if (bodySchema) {
    const textProbe = hostileTextIn(bodySchema, options);
    if (textProbe) {
      const probe = textProbe.map(json('hostile text in one body field'));
      hostileBodies.push(probe, probe, probe);
    }
    hostileBodies.push(
      validValue(bodySchema, nasty).map(json('hostile text in the body')),
      oneHostileLeaf(bodySchema, options).map(json('one hostile body field')),
      oneHostileLeaf(bodySchema, options).map(json('one hostile body field')),
      mutatedValue(bodySchema, options).map(json('body with hostile parts')),
      hostileValue(bodySchema).map(json('hostile body')),
      validValue(bodySchema, options).chain((value) =>
        invalidUtf8Body(toJsonText(value)).map((payload) => ({
          payload,
          contentType: 'application/json',
          kind: 'invalid UTF-8 body',
        })),
      ),
      fc
        .tuple(validValue(bodySchema, options), fc.constantFrom(...contentTypes))
        .map(([value, contentType]) => ({
          payload: toJsonText(value),
          contentType,
          kind: 'other content type',
        })),
      fc.constant({ payload: '', contentType: 'application/json', kind: 'empty JSON body' }),
      fc
        .constantFrom('{', '{"a":}', 'nul', '\uFEFF{}', '{"a":1}garbage', '[1,2,', '"\\uD800"')
        .map((payload) => ({
          payload,
          contentType: 'application/json',
          kind: 'malformed JSON',
        })),
    );
  } else {
    hostileBodies.push(
      fc.oneof(hostileValue({}), pollutionArb).map(json('unexpected body')),
      fc.constant({
        payload: Buffer.from([0xff, 0xfe, 0x00]),
        contentType: 'application/json',
        kind: 'invalid UTF-8 body',
      }),
    );
  }

  const build = (path: Part<string>, query: Part<string>, body: Body, kind: string) =>
    assemble(op, path.value, query.value, body, kind);
  const validQueryPart = validQuery.map((value) => ({ value, kind: 'valid query' }));
  const focuses: { arbitrary: fc.Arbitrary<FuzzRequest>; weight: number }[] = [
    {
      arbitrary: fc
        .tuple(pathArb, validQueryPart, validBody)
        .map(([p, q, b]) => build(p, q, b, 'valid-looking request')),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(pathArb, fc.oneof(...hostileQueries), validBody)
        .map(([p, q, b]) => build(p, q, b, q.kind)),
      weight: op.queryParams.length ? 4 : 1,
    },
    {
      arbitrary: fc
        .tuple(pathArb, validQueryPart, fc.oneof(...hostileBodies))
        .map(([p, q, b]) => build(p, q, b, b.kind)),
      weight: bodySchema ? 6 : 1,
    },
  ];
  if (hostilePathArb) {
    focuses.push({
      arbitrary: fc
        .tuple(hostilePathArb, validQueryPart, validBody)
        .map(([p, q, b]) => build(p, q, b, p.kind)),
      weight: 3,
    });
  }
  return fc.oneof(...focuses);
}

/**
 * Well-typed hostile texts every free-text field is tried with, one field at a time (see {@link textSweep}):
 * a NUL character (PostgreSQL text cannot hold it), quotes and backslashes (string-built SQL), and the
 * longest allowed text in four-byte characters (byte limits of indexes and columns).
 */
export const sweepTexts = ['nul\u0000inside', "x' or '1'='1", 'back\\slash\\', '\u{1F600}'.repeat(5000)];

function fit(text: string, schema: JsonSchema): string {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 10_000;
  let out = text.length > max ? text.slice(0, max) : text;
  // Never cut a surrogate pair in half: that would test something else.
  if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  return out.length < min ? out.padEnd(min, 'x') : out;
}

/**
 * Deterministic requests: for every free-text field of the query and the body, and every text of
 * {@link sweepTexts}, a minimal valid request with that one field set to that text.
 */
export function textSweep(op: Operation, options: GenerationOptions = {}, seed = 1): FuzzRequest[] {
  const { pathArb, querySchema, queryText, validQuery } = validParts(op, options);
  const bodySchema = op.body?.schema;
  const validBody = bodySchema
    ? validValue(bodySchema, options).map((v) => ({
        payload: toJsonText(v),
        contentType: 'application/json',
      }))
    : fc.constant({});
  const requests: FuzzRequest[] = [];
  const one = (arb: fc.Arbitrary<FuzzRequest>) => fc.sample(arb, { numRuns: 1, seed })[0]!;
  for (const text of sweepTexts) {
    const label = JSON.stringify(text.length > 20 ? `${text.slice(0, 12)}…(${text.length})` : text);
    for (const path of freeTextPaths(querySchema)) {
      const leaf = fc.constant(fit(text, leafSchema(querySchema, path)));
      requests.push(
        one(
          fc
            .tuple(pathArb, withLeaf(querySchema, path, leaf, options), validBody)
            .map(([p, q, b]) => assemble(op, p.value, queryText(q), b, `query ${path.join('.')} = ${label}`)),
        ),
      );
    }
    if (!bodySchema) continue;
    for (const path of freeTextPaths(bodySchema)) {
      const leaf = fc.constant(fit(text, leafSchema(bodySchema, path)));
      requests.push(
        one(
          fc
            .tuple(pathArb, validQuery, withLeaf(bodySchema, path, leaf, options))
            .map(([p, q, b]) =>
              assemble(
                op,
                p.value,
                q,
                { payload: toJsonText(b), contentType: 'application/json' },
                `body ${path.join('.')} = ${label}`,
              ),
            ),
        ),
      );
    }
  }
  return requests;
}
