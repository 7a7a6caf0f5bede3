import { useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Button, Form, TextField, useToast } from '../../../ui';
import { SelectField } from '../../identity/organisations/components/fields';
import { countriesFor } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { matchingKeys, newIdempotencyKey, registerSubject, type SubjectInput } from '../api';
import { MatchingFrame } from '../components';
import { matchingPaths } from '../paths';
import { SelectorEditor } from '../SelectorEditor';
import { newSelector, selectorsBody, type SelectorDraft } from '../selectors';
import { useSelectorForm } from '../useSelectorForm';

const FIELDS = ['kind', 'title', 'country', 'region', 'windowStart', 'windowEnd'] as const;
/** The kinds a person registers by hand, in the order offered (a case file takes part through its case). */
export const REGISTERED_KINDS = [
  'investigation',
  'operation',
  'alert',
] as const satisfies readonly SubjectInput['kind'][];
/** The server's maxSelectors. */
export const MAX_SELECTORS = 50;

/**
 * Registers an investigation, a planned operation or an alert (a warning about a recruiter, a fake agency or job
 * advert, a phone number, a website or social account), screened now and against every later registration.
 */
export function RegisterPage() {
  const { t } = useTranslation();
  return (
    <MatchingFrame title={t('matching.register.title')} audience={['screener']}>
      {() => <RegisterForm />}
    </MatchingFrame>
  );
}

/** The body of a registration from the form's data and the selector editor. */
export function subjectBody(data: FormData, selectors: readonly SelectorDraft[]): SubjectInput {
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const optional = (name: 'country' | 'region' | 'windowStart' | 'windowEnd') => {
    const value = text(name);
    return value === '' ? {} : { [name]: name === 'region' ? value.toUpperCase() : value };
  };
  return {
    kind: text('kind') as SubjectInput['kind'],
    title: text('title'),
    ...optional('country'),
    ...optional('region'),
    ...optional('windowStart'),
    ...optional('windowEnd'),
    selectors: selectorsBody(selectors),
  };
}

function RegisterForm() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ids = useId();
  const [selectors, setSelectors] = useState<SelectorDraft[]>(() => [newSelector()]);
  const countries = useMemo(
    () => countriesFor(format.language).map((c) => ({ value: c.code, label: c.name })),
    [format.language],
  );
  // One key per page: a resubmission after a dropped connection is answered once; a refused one stored nothing.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const form = useSelectorForm((body: SubjectInput) => registerSubject(body, idempotencyKey), {
    fields: FIELDS,
    onSuccess: async (subject) => {
      await queryClient.invalidateQueries({ queryKey: matchingKeys.all });
      toast.show(t('matching.register.done', { count: subject.matches }), { tone: 'success' });
      await navigate(subject.matches > 0 ? matchingPaths.inbox : matchingPaths.subjects);
    },
  });

  const submit = (data: FormData) => {
    const errors: Record<string, string> = {};
    if (!data.get('kind')) errors.kind = t('matching.errors.choose');
    const title = data.get('title');
    if (typeof title !== 'string' || title.trim() === '') errors.title = t('matching.errors.title');
    form.checkSelectors(selectors, errors);
    if (Object.keys(errors).length > 0) {
      form.setErrors({ fieldErrors: errors });
      return;
    }
    form.mutate(subjectBody(data, selectors));
  };

  return (
    <Form errors={form.errors.fieldErrors} formError={form.errors.formError} onSubmit={submit}>
      <p className="matching__lead">{t('matching.register.lead')}</p>
      <section aria-labelledby={`${ids}-what`}>
        <h2 id={`${ids}-what`}>{t('matching.register.what')}</h2>
        <SelectField
          name="kind"
          label={t('matching.register.kind')}
          required
          hint={t('matching.register.kindHint')}
          placeholder={t('matching.selectors.choose')}
          options={REGISTERED_KINDS.map((kind) => ({
            value: kind,
            label: t(`matching.subjectKinds.${kind}`),
          }))}
          defaultValue=""
        />
        <TextField
          name="title"
          label={t('matching.register.titleField')}
          hint={t('matching.register.titleHint')}
          required
          maxLength={200}
          autoComplete="off"
        />
      </section>
      <section aria-labelledby={`${ids}-where`}>
        <h2 id={`${ids}-where`}>{t('matching.register.where')}</h2>
        <p className="field__hint">{t('matching.register.whereHint')}</p>
        <div className="matching-row">
          <SelectField
            name="country"
            label={t('matching.register.country')}
            placeholder={t('matching.selectors.notKnown')}
            options={countries}
            defaultValue=""
          />
          <TextField
            name="region"
            label={t('matching.register.region')}
            hint={t('matching.register.regionHint')}
            autoComplete="off"
            dir="ltr"
          />
        </div>
        <div className="matching-row">
          <TextField name="windowStart" type="date" label={t('matching.register.windowStart')} />
          <TextField name="windowEnd" type="date" label={t('matching.register.windowEnd')} />
        </div>
      </section>
      <section aria-labelledby={`${ids}-selectors`}>
        <h2 id={`${ids}-selectors`}>{t('matching.register.selectors')}</h2>
        <SelectorEditor
          selectors={selectors}
          onChange={setSelectors}
          min={0}
          max={MAX_SELECTORS}
          legend={t('matching.register.selectorsLegend')}
          hint={t('matching.register.selectorsHint')}
        />
      </section>
      <Button type="submit" busy={form.isPending}>
        {t('matching.register.submit')}
      </Button>
    </Form>
  );
}
