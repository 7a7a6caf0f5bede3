import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Form, Loading, Table, TextField, useToast, type TableColumn } from '../../../ui';
import { TextAreaField } from '../../identity/organisations/components/fields';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { textOf } from '../../identity/organisations/form-data';
import { useFormat } from '../../identity/organisations/format';
import { useFormMutation } from '../../identity/organisations/queries';
import { matchingKeys, setQuota, usePlatformQuotas, type QuotaLine, type QuotaOverrideInput } from '../api';
import { MatchingFrame } from '../components';

/**
 * For platform admins: organisations' lookup quotas and use, and a form to set one organisation's limits
 * (with a reason, audited on its trail) or bring them back to the platform's defaults.
 */
export function QuotasPage() {
  const { t } = useTranslation();
  return (
    <MatchingFrame title={t('matching.quotas.title')} audience={['platformAdmin']}>
      {() => <QuotasView />}
    </MatchingFrame>
  );
}

function QuotasView() {
  const { t } = useTranslation();
  const id = useId();
  const [q, setQ] = useState('');
  const [chosen, setChosen] = useState<QuotaLine | null>(null);
  const list = usePlatformQuotas(q);
  const columns: TableColumn<QuotaLine>[] = [
    {
      key: 'organisation',
      header: t('matching.quotas.organisation'),
      isRowHeader: true,
      cell: (line) => line.organisation.name,
    },
    {
      key: 'perPerson',
      header: t('matching.quotas.perPerson'),
      align: 'end',
      cell: (line) => line.perPerson,
    },
    {
      key: 'perOrganisation',
      header: t('matching.quotas.perOrganisation'),
      align: 'end',
      cell: (line) => line.perOrganisation,
    },
    { key: 'day', header: t('matching.quotas.day'), align: 'end', cell: (line) => line.usedDay },
    { key: 'month', header: t('matching.quotas.month'), align: 'end', cell: (line) => line.usedMonth },
    {
      key: 'source',
      header: t('matching.quotas.source'),
      cell: (line) => (line.override ? t('matching.quotas.set') : t('matching.quotas.usual')),
    },
    {
      key: 'change',
      header: t('matching.quotas.actions'),
      cell: (line) => (
        <Button variant="secondary" onClick={() => setChosen(line)}>
          {t('matching.quotas.change', { name: line.organisation.name })}
        </Button>
      ),
    },
  ];
  return (
    <>
      {list.data && (
        <p className="matching__lead">
          {t('matching.quotas.lead', {
            perPerson: list.data.defaults.perPerson,
            perOrganisation: list.data.defaults.perOrganisation,
          })}
        </p>
      )}
      <Form
        aria-labelledby={`${id}-search`}
        onSubmit={(data) => {
          setQ(textOf(data, 'q'));
          setChosen(null);
        }}
      >
        <h2 id={`${id}-search`}>{t('matching.quotas.search')}</h2>
        <TextField name="q" label={t('matching.quotas.searchLabel')} defaultValue={q} maxLength={100} />
        <div className="actions">
          <Button type="submit">{t('matching.quotas.find')}</Button>
        </div>
      </Form>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState>{q ? t('matching.quotas.noneFound', { q }) : t('matching.quotas.empty')}</EmptyState>
      ) : (
        <Table
          caption={t('matching.quotas.caption', { count: list.data.items.length })}
          columns={columns}
          rows={list.data.items}
          rowKey={(line) => line.organisation.id}
        />
      )}
      {chosen && list.data && (
        <QuotaForm
          key={chosen.organisation.id}
          line={chosen}
          defaults={list.data.defaults}
          onDone={() => setChosen(null)}
        />
      )}
    </>
  );
}

/** A limit as typed: empty means the platform's default; otherwise a whole number from 1. */
function limitOf(text: string): number | null | 'invalid' {
  if (text === '') return null;
  return /^\d{1,7}$/.test(text) && Number(text) >= 1 ? Number(text) : 'invalid';
}

function QuotaForm({
  line,
  defaults,
  onDone,
}: {
  line: QuotaLine;
  defaults: { perPerson: number; perOrganisation: number };
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const headingId = useId();
  const name = line.organisation.name;
  const save = useFormMutation((body: QuotaOverrideInput) => setQuota(line.organisation.id, body), {
    fields: ['lookupsPerPerson', 'lookupsPerOrganisation', 'reason'],
    onSuccess: async () => {
      toast.show(t('matching.quotas.saved', { name }), { tone: 'success' });
      await queryClient.invalidateQueries({ queryKey: matchingKeys.all });
      onDone();
    },
  });
  const submit = (data: FormData, reset: boolean) => {
    const perPerson = reset ? null : limitOf(textOf(data, 'lookupsPerPerson'));
    const perOrganisation = reset ? null : limitOf(textOf(data, 'lookupsPerOrganisation'));
    const reason = textOf(data, 'reason');
    const errors: Record<string, string> = {};
    if (perPerson === 'invalid') errors.lookupsPerPerson = t('matching.quotas.limitInvalid');
    if (perOrganisation === 'invalid') errors.lookupsPerOrganisation = t('matching.quotas.limitInvalid');
    if (reason.length < 3) errors.reason = t('matching.quotas.reasonRequired');
    if (Object.keys(errors).length > 0 || perPerson === 'invalid' || perOrganisation === 'invalid') {
      save.setErrors({ fieldErrors: errors });
      return;
    }
    save.mutate({ lookupsPerPerson: perPerson, lookupsPerOrganisation: perOrganisation, reason });
  };
  return (
    <section aria-labelledby={headingId} className="matching-quota-form">
      <h2 id={headingId}>{t('matching.quotas.formTitle', { name })}</h2>
      {line.override && (
        <p className="field__hint">
          {t('matching.quotas.current', {
            reason: line.override.reason,
            date: format.dateTime(line.override.updatedAt),
          })}
        </p>
      )}
      <Form
        errors={save.errors.fieldErrors}
        formError={save.errors.formError}
        aria-labelledby={headingId}
        onSubmit={(data, event) => {
          const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
          submit(data, submitter?.value === 'reset');
        }}
      >
        <TextField
          name="lookupsPerPerson"
          label={t('matching.quotas.perPersonLabel')}
          hint={t('matching.quotas.limitHint', { limit: defaults.perPerson })}
          inputMode="numeric"
          defaultValue={line.override?.perPerson ?? ''}
        />
        <TextField
          name="lookupsPerOrganisation"
          label={t('matching.quotas.perOrganisationLabel')}
          hint={t('matching.quotas.limitHint', { limit: defaults.perOrganisation })}
          inputMode="numeric"
          defaultValue={line.override?.perOrganisation ?? ''}
        />
        <TextAreaField
          name="reason"
          label={t('matching.quotas.reason')}
          hint={t('matching.quotas.reasonHint')}
          maxLength={500}
          rows={3}
          required
        />
        <div className="actions">
          <Button type="submit" name="action" value="save" busy={save.isPending}>
            {t('matching.quotas.save')}
          </Button>
          {line.override && (
            <Button type="submit" name="action" value="reset" variant="secondary">
              {t('matching.quotas.reset')}
            </Button>
          )}
          <Button variant="secondary" onClick={onDone}>
            {t('matching.quotas.cancel')}
          </Button>
        </div>
      </Form>
    </section>
  );
}
