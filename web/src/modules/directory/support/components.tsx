import { useTranslation } from 'react-i18next';
import { Link, NavLink } from 'react-router';
import { Table, VisuallyHidden, type TableColumn } from '../../../ui';
import { countryName } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { languageName } from '../profile/present';
import type { Need, Recipient, SupportRequest, SupportStats } from './api';
import { durationText, percentText } from './present';

/** The addresses of the support pages; the server's emails link to `incoming` and `request`. */
export const supportPaths = {
  find: '/directory/support',
  sent: '/directory/support/sent',
  incoming: '/directory/support/incoming',
  request: (id: string) => `/directory/support/requests/${id}`,
  unmet: '/directory/support/unmet-needs',
} as const;

/** Links between the three pages a caseworker uses: find, sent, incoming. */
export function SupportTabs() {
  const { t } = useTranslation();
  return (
    <nav className="support-tabs" aria-label={t('support.tabs.label')}>
      <ul>
        <li>
          <NavLink to={supportPaths.find} end>
            {t('support.tabs.find')}
          </NavLink>
        </li>
        <li>
          <NavLink to={supportPaths.sent}>{t('support.tabs.sent')}</NavLink>
        </li>
        <li>
          <NavLink to={supportPaths.incoming}>{t('support.tabs.incoming')}</NavLink>
        </li>
      </ul>
    </nav>
  );
}

/** Where help is needed, in words: "Mombasa, Mombasa County, Kenya". */
export function placeOf(need: Need, language: string): string {
  return [need.placeName, need.regionName, countryName(need.country, language)]
    .filter((part, index, all): part is string => Boolean(part) && all.indexOf(part) === index)
    .join(', ');
}

/** A described need, field by field, as a definition list (codes translated; nothing else is stored). */
export function NeedSummary({ need }: { need: Need }) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = (codes: readonly string[], vocabulary: string) =>
    codes.map((code) => t(`directory.vocabulary.${vocabulary}.${code}`)).join(', ');
  const rows: Array<[string, string]> = [
    [t('support.need.place'), placeOf(need, format.language)],
    [t('support.need.services'), list(need.services, 'services')],
    [
      t('support.need.person'),
      `${t(`directory.vocabulary.genders.${need.gender}`)}, ${t(`directory.vocabulary.ageBands.${need.ageBand}`)}`,
    ],
  ];
  if (need.populations.length > 0)
    rows.push([t('support.need.populations'), list(need.populations, 'populations')]);
  if (need.languages.length > 0)
    rows.push([
      t('support.need.languages'),
      need.languages.map((code) => languageName(code, format.language)).join(', '),
    ]);
  if (need.exploitationTypes.length > 0)
    rows.push([t('support.need.exploitation'), list(need.exploitationTypes, 'exploitationTypes')]);
  rows.push([t('support.need.urgency'), t(`directory.vocabulary.urgencies.${need.urgency}`)]);
  return (
    <dl className="orgs-details support-need">
      {rows.map(([label, value]) => (
        <div key={label} className="support-need__row">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

const requestTone: Record<SupportRequest['status'], string> = {
  open: 'info',
  accepted: 'success',
  closed: 'neutral',
};

/** Where a request stands, as a badge (the words carry the meaning; the colour repeats it). */
export function RequestStatusBadge({ status }: { status: SupportRequest['status'] }) {
  const { t } = useTranslation();
  return (
    <span className={`orgs-badge orgs-badge--${requestTone[status]}`}>{t(`support.status.${status}`)}</span>
  );
}

const recipientTone: Record<Recipient['status'], string> = {
  pending: 'info',
  accepted: 'success',
  declined: 'warning',
  withdrawn: 'neutral',
};

/** A recipient's answer, as a badge. */
export function RecipientStatusBadge({ status }: { status: Recipient['status'] }) {
  const { t } = useTranslation();
  return (
    <span className={`orgs-badge orgs-badge--${recipientTone[status]}`}>
      {t(`support.recipientStatus.${status}`)}
    </span>
  );
}

/** The urgency of a need, emphasised when it is an emergency. */
export function UrgencyBadge({ urgency }: { urgency: Need['urgency'] }) {
  const { t } = useTranslation();
  return (
    <span className={`orgs-badge orgs-badge--${urgency === 'emergency' ? 'danger' : 'neutral'}`}>
      {t(`directory.vocabulary.urgencies.${urgency}`)}
    </span>
  );
}

/** An organisation's record as a recipient: response rate, median response time, and the counts behind them. */
export function StatsPanel({ stats }: { stats: SupportStats }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <section className="support-stats" aria-labelledby="support-stats-heading">
      <h2 id="support-stats-heading">{t('support.stats.heading')}</h2>
      <dl className="support-stats__figures">
        <div>
          <dt>{t('support.stats.responseRate')}</dt>
          <dd>
            {stats.responseRate === null
              ? t('support.stats.none')
              : percentText(stats.responseRate, format.language)}
          </dd>
        </div>
        <div>
          <dt>{t('support.stats.medianResponse')}</dt>
          <dd>
            {stats.medianResponseMinutes === null
              ? t('support.stats.none')
              : durationText(stats.medianResponseMinutes, t)}
          </dd>
        </div>
        <div>
          <dt>{t('support.stats.received')}</dt>
          <dd>{stats.received}</dd>
        </div>
      </dl>
      <p className="muted">
        {t('support.stats.breakdown', {
          accepted: stats.accepted,
          declined: stats.declined,
          pending: stats.pending,
          withdrawn: stats.withdrawn,
        })}
      </p>
    </section>
  );
}

/** Who a request went to and how each answered (the requester's view), with reasons and notes. */
export function RecipientsTable({ recipients }: { recipients: readonly Recipient[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: TableColumn<Recipient>[] = [
    {
      key: 'organisation',
      header: t('support.recipients.organisation'),
      isRowHeader: true,
      cell: (r) => <Link to={`/directory/organisations/${r.organisationId}`}>{r.name}</Link>,
    },
    {
      key: 'answer',
      header: t('support.recipients.answer'),
      cell: (r) => <RecipientStatusBadge status={r.status} />,
    },
    {
      key: 'reason',
      header: t('support.recipients.reason'),
      cell: (r) =>
        r.declineReason ? (
          <>
            {t(`directory.vocabulary.declineReasons.${r.declineReason}`)}
            {r.declineNote && <span className="support-note orgs-break">{r.declineNote}</span>}
          </>
        ) : (
          <Nothing label={t('support.recipients.noReason')} />
        ),
    },
    {
      key: 'when',
      header: t('support.recipients.when'),
      cell: (r) =>
        r.respondedAt ? (
          format.dateTime(r.respondedAt)
        ) : (
          <Nothing label={t('support.recipients.notAnswered')} />
        ),
    },
  ];
  return (
    <Table
      caption={t('support.recipients.caption', { count: recipients.length })}
      columns={columns}
      rows={recipients}
      rowKey={(r) => r.organisationId}
    />
  );
}

/** An empty cell: a dash for the eye, words for screen readers. */
function Nothing({ label }: { label: string }) {
  return (
    <span className="muted">
      <span aria-hidden="true">—</span>
      <VisuallyHidden>{label}</VisuallyHidden>
    </span>
  );
}
