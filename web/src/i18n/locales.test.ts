import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { FALLBACK_LANGUAGE, LANGUAGE_CODES } from './languages';

type MessageElement = ReturnType<IntlMessageFormat['getAst']>[number];

// TYPE.literal of @formatjs/icu-messageformat-parser, which Cairn does not depend on directly.
const LITERAL = 0 as MessageElement['type'];

// Read the files the build actually ships, not a hand-kept list, so a new or forgotten file is noticed.
const files = import.meta.glob<unknown>('./locales/*.json', { eager: true, import: 'default' });

const locales = new Map<string, Map<string, string>>(
  Object.entries(files).map(([path, tree]) => [
    path.replace('./locales/', '').replace('.json', ''),
    flatten(tree),
  ]),
);

/** Turns nested translation objects into dotted keys, the way i18next looks them up. */
function flatten(tree: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (typeof tree === 'string') {
    into.set(prefix, tree);
  } else if (tree !== null && typeof tree === 'object' && !Array.isArray(tree)) {
    for (const [key, value] of Object.entries(tree)) flatten(value, prefix ? `${prefix}.${key}` : key, into);
  } else {
    // Numbers, arrays and nulls are not messages; mark them so the emptiness check reports them.
    into.set(prefix, '');
  }
  return into;
}

/** Names of the variables a message uses; translations must use the same ones or values go missing. */
function variablesOf(elements: readonly MessageElement[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    if ('value' in element && typeof element.value === 'string' && element.type !== LITERAL) {
      into.add(element.value);
    }
    if ('options' in element) {
      for (const option of Object.values(element.options)) variablesOf(option.value, into);
    }
    if ('children' in element) variablesOf(element.children, into);
  }
  return into;
}

function parse(message: string, language: string): IntlMessageFormat {
  return new IntlMessageFormat(message, language);
}

describe('shipped locales', () => {
  const source = locales.get(FALLBACK_LANGUAGE);

  it('ship exactly the languages the language switcher offers', () => {
    expect([...locales.keys()].sort()).toEqual([...LANGUAGE_CODES].sort());
  });

  it('include the fallback language', () => {
    expect(source?.size ?? 0).toBeGreaterThan(0);
  });

  for (const [language, messages] of locales) {
    describe(language, () => {
      it('has every key that any other locale has, none of them empty', () => {
        const problems: string[] = [];
        for (const [other, otherMessages] of locales) {
          for (const key of otherMessages.keys()) {
            if (!messages.has(key)) problems.push(`missing "${key}" (present in ${other})`);
          }
        }
        for (const [key, message] of messages) {
          if (message.trim() === '') problems.push(`empty "${key}"`);
        }
        expect([...new Set(problems)]).toEqual([]);
      });

      it('has only messages that parse as ICU MessageFormat', () => {
        const problems: string[] = [];
        for (const [key, message] of messages) {
          try {
            parse(message, language);
          } catch (error) {
            problems.push(`${key}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('uses the same variables as the fallback language', () => {
        const problems: string[] = [];
        for (const [key, message] of messages) {
          const original = source?.get(key);
          if (original === undefined) continue;
          try {
            const expected = [...variablesOf(parse(original, FALLBACK_LANGUAGE).getAst())].sort();
            const actual = [...variablesOf(parse(message, language).getAst())].sort();
            if (expected.join() !== actual.join()) {
              problems.push(`${key}: uses {${actual.join(', ')}}, expected {${expected.join(', ')}}`);
            }
          } catch {
            // Unparseable messages are reported by the test above.
          }
        }
        expect(problems).toEqual([]);
      });
    });
  }
});
