import { readFileSync } from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

describe('the typed API client', () => {
  it('is generated from the committed OpenAPI document (run `npm run openapi` after changing a route)', async () => {
    const document = JSON.parse(readFileSync(path.join(root, 'docs', 'openapi.json'), 'utf8')) as Parameters<
      typeof openapiTS
    >[0];
    const generated = astToString(await openapiTS(document));
    const committed = readFileSync(path.join(root, 'web', 'src', 'api', 'schema.d.ts'), 'utf8');
    // The CLI adds a banner comment; compare the declarations only.
    const body = (text: string) => text.slice(text.indexOf('export'));
    expect(body(committed).trim()).toBe(body(generated).trim());
  });
});
