import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Loading, Table, useToast, type TableColumn } from '../../../ui';
import { SelectField } from '../../identity/organisations/components/fields';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import {
  useLookupAudit,
  useParticipation,
  useQuotas,
  useSetFocalPoint,
  useSetParticipation,
  type LookupAuditEntry,
  type OrganisationQuotas,
  type Participation,
  type ParticipationType,
} from '../api';
import { MatchingFrame } from '../components';

/**
 * The organisation's matching settings (participation and focal point, for admins), its lookup quotas and who
 * looked up what (every member).
 */
export function AdminPage() {
  const { t } = useTranslation();
  return (
    <MatchingFrame title={t('matching.admin.title')} audience={['member']}>
      {(roles) => (
        <>
          {roles.admin && <ParticipationSection />}
          {roles.admin && <FocalPointSection />}
          <QuotasSection />
          <AuditSection />
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

/** Names the person other organisations may write to about a match, before both sides agreed. */
function FocalPointSection() {
  const { t } = useTranslation();
  const id = useId();
  const participation = useParticipation();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('matching.admin.focal')}</h2>
      <p className="matching__lead">{t('matching.admin.focalLead')}</p>
      {participation.isPending ? (
        <Loading />
      ) : participation.isError ? (
        <LoadError error={participation.error} onRetry={() => void participation.refetch()} />
      ) : (
        <FocalPointForm participation={participation.data} />
      )}
    </section>
  );
}

function FocalPointForm({ participation }: { participation: Participation }) {
  const { t } = useTranslation();
  const toast = useToast();
  const save = useSetFocalPoint();
  const [choice, setChoice] = useState(participation.focalPoint?.personId ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const personId = choice === '' ? null : choice;
    save.mutate(personId, {
      onSuccess: (saved) =>
        toast.show(
          saved.focalPoint
            ? t('matching.admin.focalSaved', { name: saved.focalPoint.name })
            : t('matching.admin.focalCleared'),
          { tone: 'success' },
        ),
      onError: (error) => toast.show(messageOf(error, t), { tone: 'error' }),
    });
  };
  return (
    <form onSubmit={submit} noValidate>
      {participation.focalPoint === null && <p className="notice">{t('matching.admin.focalMissing')}</p>}
      <SelectField
        name="focalPoint"
        label={t('matching.admin.focalLabel')}
        hint={t('matching.admin.focalHint')}
        value={choice}
        onChange={(event) => setChoice(event.target.value)}
        placeholder={t('matching.admin.focalNone')}
        options={participation.candidates.map((person) => ({ value: person.personId, label: person.name }))}
      />
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('matching.admin.focalSave')}
        </Button>
      </div>
    </form>
  );
}

/** The organisation's lookup quotas, and what each person used of them in the last 24 hours. */
function QuotasSection() {
  const { t } = useTranslation();
  const id = useId();
  const quotas = useQuotas();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('matching.admin.quotas')}</h2>
      <p className="matching__lead">{t('matching.admin.quotasLead')}</p>
      {quotas.isPending ? (
        <Loading />
      ) : quotas.isError ? (
        <LoadError error={quotas.error} onRetry={() => void quotas.refetch()} />
      ) : (
        <QuotasView quotas={quotas.data} />
      )}
    </section>
  );
}

function QuotasView({ quotas }: { quotas: OrganisationQuotas }) {
  const { t } = useTranslation();
  type Use = OrganisationQuotas['people'][number];
  const columns: TableColumn<Use>[] = [
    { key: 'person', header: t('matching.admin.person'), isRowHeader: true, cell: (use) => use.person.name },
    { key: 'used', header: t('matching.admin.used'), align: 'end', cell: (use) => use.used },
    { key: 'remaining', header: t('matching.admin.remaining'), align: 'end', cell: (use) => use.remaining },
  ];
  return (
    <>
      <dl className="matching-details">
        <dt>{t('matching.admin.perPerson')}</dt>
        <dd>{quotas.perPerson}</dd>
        <dt>{t('matching.admin.perOrganisation')}</dt>
        <dd>{t('matching.admin.usedOf', { used: quotas.used, limit: quotas.perOrganisation })}</dd>
      </dl>
      {quotas.overridden && (
        <p className="field__hint">
          {t('matching.admin.overridden', {
            perPerson: quotas.defaults.perPerson,
            perOrganisation: quotas.defaults.perOrganisation,
          })}
        </p>
      )}
      {quotas.people.length === 0 ? (
        <EmptyState>{t('matching.admin.quotasEmpty')}</EmptyState>
      ) : (
        <Table
          caption={t('matching.admin.quotasCaption')}
          columns={columns}
          rows={quotas.people}
          rowKey={(use) => use.person.id}
        />
      )}
    </>
  );
}
