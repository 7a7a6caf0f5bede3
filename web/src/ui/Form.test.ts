import i18next, { type i18n as I18n } from 'i18next';
import ICU from 'i18next-icu';
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import en from '../i18n/locales/en.json';
import { Form } from './Form';
import { TextField } from './TextField';

let i18n: I18n;

beforeAll(async () => {
  i18n = i18next.createInstance();
  await i18n.use(ICU).init({ lng: 'en', resources: { en: { translation: en } } });
});

function render(element: ReactElement): string {
  return renderToStaticMarkup(createElement(I18nextProvider, { i18n }, element));
}

/** The attributes of the first tag with this name; names are lower-cased as HTML treats them. */
function attributesOf(markup: string, tag: string): Record<string, string> {
  const match = new RegExp(`<${tag}\\b([^>]*)>`).exec(markup);
  if (!match?.[1]) throw new Error(`no <${tag}> in ${markup}`);
  return Object.fromEntries(
    [...match[1].matchAll(/([\w-]+)="([^"]*)"/g)].map(([, name = '', value = '']) => [
      name.toLowerCase(),
      value,
    ]),
  );
}

function elementWithId(markup: string, id: string): string {
  const match = new RegExp(`<(\\w+)[^>]*\\bid="${id.replace(/[^\w-]/g, '\\$&')}"[^>]*>(.*?)</\\1>`).exec(
    markup,
  );
  if (!match?.[2]) throw new Error(`no element with id ${id}`);
  return match[2];
}

describe('Form with TextField', () => {
  const errorMarkup = () =>
    render(
      createElement(
        Form,
        { onSubmit: () => undefined, errors: { email: 'Enter an email address like name@example.org.' } },
        createElement(TextField, {
          name: 'email',
          label: 'Email',
          hint: 'We never share it.',
          required: true,
        }),
        createElement(TextField, { name: 'name', label: 'Name' }),
      ),
    );

  it('marks the invalid field and points it at both its hint and its error', () => {
    const markup = errorMarkup();
    const input = attributesOf(markup, 'input');
    expect(input['aria-invalid']).toBe('true');
    const describedBy = (input['aria-describedby'] ?? '').split(' ');
    expect(describedBy).toHaveLength(2);
    const [hintId = '', errorId = ''] = describedBy;
    expect(elementWithId(markup, hintId)).toBe('We never share it.');
    expect(elementWithId(markup, errorId)).toContain('Enter an email address like name@example.org.');
    expect(elementWithId(markup, errorId)).toContain(en.ui.errorPrefix);
  });

  it('links the error summary to the invalid field', () => {
    const markup = errorMarkup();
    const inputId = attributesOf(markup, 'input').id ?? '';
    expect(markup).toContain(en.ui.errorSummaryTitle);
    expect(markup).toContain(`href="#${inputId}"`);
    expect(attributesOf(markup, 'label').for).toBe(inputId);
  });

  it('leaves valid fields and error-free forms unmarked', () => {
    const markup = render(
      createElement(
        Form,
        { onSubmit: () => undefined },
        createElement(TextField, { name: 'name', label: 'Name' }),
      ),
    );
    const input = attributesOf(markup, 'input');
    expect(input['aria-invalid']).toBeUndefined();
    expect(input['aria-describedby']).toBeUndefined();
    expect(markup).not.toContain(en.ui.errorSummaryTitle);
    expect(attributesOf(markup, 'form').novalidate).toBe('');
  });
});
