import { describe, expect, it } from 'vitest';
import { durationText, parseReason, percentText, reasonText, reasonTexts } from './present';

/** Stands in for i18next's t: shows which key (and values) a message would use. */
const t = (key: string, values?: Record<string, unknown>) =>
  values ? `${key} ${JSON.stringify(values)}` : key;

describe('matcher reasons', () => {
  it('splits a reason into its code and value', () => {
    expect(parseReason('within_km:37')).toEqual({ code: 'within_km', value: '37' });
    expect(parseReason('verified')).toEqual({ code: 'verified', value: null });
    expect(parseReason('works_on_exploitation:ForcedLabour')).toEqual({
      code: 'works_on_exploitation',
      value: 'ForcedLabour',
    });
  });

  it('turns each reason into a translated sentence with its values', () => {
    expect(reasonText('offers_all_services', t, 'en')).toBe('support.reasons.offers_all_services');
    expect(reasonText('offers_some_services:2/3', t, 'en')).toBe(
      'support.reasons.offers_some_services {"met":2,"total":3}',
    );
    expect(reasonText('within_km:37', t, 'en')).toBe('support.reasons.within_km {"km":37}');
    expect(reasonText('speaks_language:sw', t, 'en')).toBe(
      'support.reasons.speaks_language {"language":"Swahili"}',
    );
    expect(reasonText('speaks_language:sw', t, 'fr')).toContain('swahili');
    expect(reasonText('works_on_exploitation:ForcedLabour', t, 'en')).toBe(
      'support.reasons.works_on_exploitation {"type":"directory.vocabulary.exploitationTypes.ForcedLabour"}',
    );
  });

  it('leaves out reasons it does not know or cannot read, instead of showing codes', () => {
    expect(reasonText('a_future_reason', t, 'en')).toBeNull();
    expect(reasonText('offers_some_services:lots', t, 'en')).toBeNull();
    expect(reasonText('within_km:far', t, 'en')).toBeNull();
    expect(reasonTexts(['verified', 'a_future_reason'], t, 'en')).toEqual(['support.reasons.verified']);
  });
});

describe('numbers', () => {
  it('writes a response time in minutes, hours or days', () => {
    expect(durationText(0.4, t)).toBe('support.duration.minutes {"count":1}');
    expect(durationText(42, t)).toBe('support.duration.minutes {"count":42}');
    expect(durationText(180, t)).toBe('support.duration.hours {"count":3}');
    expect(durationText(4 * 24 * 60, t)).toBe('support.duration.days {"count":4}');
  });

  it('writes a share as a percentage in the reader’s language', () => {
    expect(percentText(0.5, 'en')).toBe('50%');
    expect(percentText(0.5, 'fr')).toMatch(/^50\s%$/);
  });
});
