import i18next, { type i18n as I18n } from 'i18next';
import ICU from 'i18next-icu';
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import en from '../../../../i18n/locales/en.json';
import { Form } from '../../../../ui';
import { CountryPicker } from './CountryPicker';
import { RadioGroupField, SelectField, TextAreaField } from './fields';

let i18n: I18n;

beforeAll(async () => {
  i18n = i18next.createInstance();
  await i18n.use(ICU).init({ lng: 'en', resources: { en: { translation: en } } });
});

function render(element: ReactElement): string {
  return renderToStaticMarkup(createElement(I18nextProvider, { i18n }, element));
}

/** The attributes of the first `tag` whose attributes contain `having` (a regular expression fragment). */
function attributesOf(markup: string, tag: string, having = ''): Record<string, string> {
  const match = new RegExp(`<${tag}\\b([^>]*${having}[^>]*)>`).exec(markup);
  if (!match?.[1]) throw new Error(`no <${tag}> with ${having} in ${markup}`);
  return Object.fromEntries(
    [...match[1].matchAll(/([\w-]+)="([^"]*)"/g)].map(([, name = '', value = '']) => [
      name.toLowerCase(),
      value,
    ]),
  );
}

const errors = {
  type: 'Choose the type of organisation.',
  note: 'Write something.',
  tier: 'Choose a verification tier.',
  countries: 'Choose at least one country.',
};

describe('fields inside a Form with errors', () => {
  const markup = () =>
    render(
      createElement(
        Form,
        { onSubmit: () => undefined, errors },
        createElement(SelectField, {
          name: 'type',
          label: 'Type',
          hint: 'Pick one.',
          options: [{ value: 'ngo', label: 'NGO' }],
          placeholder: 'Choose',
          required: true,
        }),
        createElement(TextAreaField, { name: 'note', label: 'Note' }),
        createElement(RadioGroupField, {
          name: 'tier',
          legend: 'Tier',
          options: [
            { value: 'a', label: 'A', description: 'The first.' },
            { value: 'b', label: 'B' },
          ],
        }),
        createElement(CountryPicker, {
          name: 'countries',
          legend: 'Countries',
          value: ['UG', 'KE'],
          onChange: () => undefined,
        }),
      ),
    );

  it('marks a select and a text area invalid and describes them by hint and error', () => {
    const html = markup();
    const select = attributesOf(html, 'select');
    expect(select['aria-invalid']).toBe('true');
    expect(select['aria-describedby']?.split(' ')).toHaveLength(2);
    expect(html).toContain('<option value="">Choose</option>');
    const textarea = attributesOf(html, 'textarea');
    expect(textarea['aria-invalid']).toBe('true');
    expect(html).toContain(errors.note);
  });

  it('gives a radio group’s first radio the id the error summary links to, and describes each choice', () => {
    const html = markup();
    const summaryLink = new RegExp(`href="#([^"]+)"[^>]*>${errors.tier}<`).exec(html)?.[1] ?? '';
    expect(summaryLink).not.toBe('');
    const first = attributesOf(html, 'input', `id="${summaryLink}"`);
    expect(first.type).toBe('radio');
    expect(html).toContain(`id="${first['aria-describedby']}"`);
    expect(html).toContain('The first.');
  });

  it('lists chosen countries by name as remove buttons and links the summary to the search box', () => {
    const html = markup();
    expect(html).toContain('Remove Kenya');
    expect(html).toContain('Remove Uganda');
    expect(html.indexOf('Remove Kenya')).toBeLessThan(html.indexOf('Remove Uganda'));
    expect(html).toContain('2 countries chosen:');
    const searchId = new RegExp(`href="#([^"]+)"[^>]*>${errors.countries}<`).exec(html)?.[1] ?? '';
    expect(attributesOf(html, 'input', `id="${searchId}"`).type).toBe('search');
    expect(html).toMatch(/id="[^"]*-KE" checked=""/);
    expect(html).not.toMatch(/id="[^"]*-TZ" checked=""/);
  });
});
