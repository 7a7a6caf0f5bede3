import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import en from '../../i18n/locales/en.json';
import {
  HTCDS_EXTENSIONS,
  VOCABULARIES,
  isExtension,
  isOneOf,
  vocabularyKey,
  type VocabularyName,
} from './vocabulary';

// The web keeps its own copy of the server's case vocabularies (it never imports server code); these tests
// keep the copy honest against the published API and the server's source.
const root = new URL('../../../../', import.meta.url);
const openapi: unknown = JSON.parse(readFileSync(new URL('docs/openapi.json', root), 'utf8'));
const serverVocabulary = readFileSync(new URL('server/modules/cases/cases.vocabulary.ts', root), 'utf8');

/** Every `enum` array anywhere in the OpenAPI document. */
function enumsOf(node: unknown, into: string[][] = []): string[][] {
  if (Array.isArray(node)) {
    for (const item of node) enumsOf(item, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' && Array.isArray(value) && value.every((v) => typeof v === 'string'))
        into.push(value);
      else enumsOf(value, into);
    }
  }
  return into;
}

/** The string items of `export const <name> = [ ... ] as const` in the server's case vocabulary. */
function serverList(name: string): string[] {
  const match = new RegExp(`export const ${name} = \\[([^\\]]*)\\] as const`).exec(serverVocabulary);
  if (!match?.[1]) throw new Error(`cases.vocabulary.ts has no list "${name}"`);
  return [...match[1].matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
}

const apiEnums = enumsOf(openapi);

// Each web list and the server's name for it.
const serverNames: Record<VocabularyName, string> = {
  genders: 'genders',
  maritalStatuses: 'maritalStatuses',
  educationLevels: 'educationLevels',
  documentTypes: 'documentTypes',
  traffickingStatuses: 'traffickingStatuses',
  decisionMakers: 'decisionMakingOrganisations',
  relationships: 'relationshipsToTrafficker',
  websitesAndApps: 'websitesAndApps',
  recruitmentMethods: 'recruitmentMethods',
  methodsOfControl: 'methodsOfControl',
  sexExploitationTypes: 'sexExploitationTypes',
  vulnerabilities: 'vulnerabilities',
  perpetratorRoles: 'perpetratorRoles',
  caseStatuses: 'caseStatuses',
  eventTypes: 'traffickingEventTypes',
  supportPlanTypes: 'supportPlanTypes',
  supportPlanStatuses: 'supportPlanStatuses',
  consentPurposes: 'consentPurposes',
  sections: 'caseSections',
};

describe('case vocabularies', () => {
  for (const [name, server] of Object.entries(serverNames) as [VocabularyName, string][]) {
    const list: readonly string[] = VOCABULARIES[name];

    it(`${name}: same codes, same order as the server, and an enum of the API`, () => {
      expect([...list]).toEqual(serverList(server));
      expect(apiEnums.some((values) => values.join() === list.join())).toBe(true);
    });

    it(`${name}: every code has an English name, and no name is left for a code that went`, () => {
      const names = (en.cases.vocabulary as unknown as Record<string, Record<string, string>>)[name] ?? {};
      expect(Object.keys(names).sort()).toEqual([...list].sort());
      for (const code of list) expect(vocabularyKey(name, code)).toBe(`cases.vocabulary.${name}.${code}`);
    });
  }

  it('marks exactly the server’s additions to HTCDS picklists', () => {
    // server: htcdsExtensions = { vic_MethodsOfControl: ['RestrictsMovement'], vic_TypeOfExploitation: [...] }
    const block = /htcdsExtensions[^=]*=\s*\{([^}]*)\}/.exec(serverVocabulary)?.[1] ?? '';
    const server = [...block.matchAll(/\[([^\]]*)\]/g)].flatMap((m) =>
      [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((v) => v[1]),
    );
    expect(Object.values(HTCDS_EXTENSIONS).flat().sort()).toEqual(server.sort());
    expect(isExtension('methodsOfControl', 'RestrictsMovement')).toBe(true);
    expect(isExtension('exploitationTypes', 'ForcedCriminality')).toBe(true);
    expect(isExtension('methodsOfControl', 'DebtBondage')).toBe(false);
  });

  it('isOneOf accepts the list’s values only', () => {
    expect(isOneOf(VOCABULARIES.caseStatuses, 'Closed')).toBe(true);
    expect(isOneOf(VOCABULARIES.caseStatuses, 'closed')).toBe(false);
    expect(isOneOf(VOCABULARIES.caseStatuses, null)).toBe(false);
  });
});
