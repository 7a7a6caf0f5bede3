import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Loading, Table, useToast, type TableColumn } from '../../../ui';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import {
  useLookupAudit,
  useParticipation,
  useSetParticipation,
  type LookupAuditEntry,
  type ParticipationType,
} from '../api';
import { MatchingFrame } from '../components';

/** The organisation's matching settings (participation, for admins) and who looked up what (admins and supervisors). */
export function AdminPage() {
  const { t } = useTranslation();
  return (
    <MatchingFrame title={t('matching.admin.title')} audience={['admin', 'auditor']}>
      {(roles) => (
        <>
          {roles.admin && <ParticipationSection />}
          {roles.auditor && <AuditSection />}
        </>
      )}
    </MatchingFrame>
  );
}

function ParticipationSection() {
  const { t } = useTranslation();
  const id = useId();
  const toast = useToast();
  const participation = useParticipation();
  const save = useSetParticipation();

  // The box shows the new choice at once; the server's answer confirms it (or the toast says why not).
  const [pending, setPending] = useState<Partial<Record<ParticipationType, boolean>>>({});

  const toggle = (type: ParticipationType, enabled: boolean) => {
    setPending((current) => ({ ...current, [type]: enabled }));
    save.mutate([{ type, enabled }], {
      onSuccess: () =>
        toast.show(
          t(enabled ? 'matching.admin.enabled' : 'matching.admin.disabled', {
            type: t(`matching.participationTypes.${type}`),
          }),
          { tone: 'success' },
        ),
      onError: (error) => toast.show(messageOf(error, t), { tone: 'error' }),
      onSettled: () =>
        setPending((current) => {
          const next = { ...current };
          delete next[type];
          return next;
        }),
    });
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('matching.admin.participation')}</h2>
      <p className="matching__lead">{t('matching.admin.participationLead')}</p>
      {participation.isPending ? (
        <Loading />
      ) : participation.isError ? (
        <LoadError error={participation.error} onRetry={() => void participation.refetch()} />
      ) : (
        <fieldset className="orgs-group">
          <legend className="field__label">{t('matching.admin.types')}</legend>
          <ul className="matching-participation">
            {participation.data.types.map(({ type, enabled }) => (
              <li key={type} className="orgs-choice">
                <input
                  type="checkbox"
                  id={`${id}-${type}`}
                  checked={pending[type] ?? enabled}
                  onChange={(event) => toggle(type, event.target.checked)}
                />
                <label htmlFor={`${id}-${type}`}>{t(`matching.participationTypes.${type}`)}</label>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
    </section>
  );
}

function AuditSection() {
  const { t } = useTranslation();
  const id = useId();
  const format = useFormat();
  const audit = useLookupAudit();
  const columns: TableColumn<LookupAuditEntry>[] = [
    {
      key: 'person',
      header: t('matching.admin.person'),
      isRowHeader: true,
      cell: (entry) => entry.person.name,
    },
    {
      key: 'purpose',
      header: t('matching.admin.purpose'),
      cell: (entry) => t(`matching.admin.purposes.${entry.purpose}`),
    },
    {
      key: 'kinds',
      header: t('matching.admin.kinds'),
      cell: (entry) =>
        entry.selectorTypes
          .map((type) => t(`matching.participationTypes.${type}`, { defaultValue: type }))
          .join(', '),
    },
    { key: 'hits', header: t('matching.admin.hits'), align: 'end', cell: (entry) => entry.hits },
    { key: 'date', header: t('matching.inbox.date'), cell: (entry) => format.dateTime(entry.createdAt) },
  ];
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('matching.admin.audit')}</h2>
      <p className="matching__lead">{t('matching.admin.auditLead')}</p>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <LoadError error={audit.error} onRetry={() => void audit.refetch()} />
      ) : audit.data.items.length === 0 ? (
        <EmptyState>{t('matching.admin.auditEmpty')}</EmptyState>
      ) : (
        <Table
          caption={t('matching.admin.auditCaption', { count: audit.data.items.length })}
          columns={columns}
          rows={audit.data.items}
          rowKey={(entry) => entry.id}
        />
      )}
    </section>
  );
}
