import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Loading, PageHeading } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { EmptyState, LoadError } from '../../../identity/organisations/components/notices';
import { useFormat } from '../../../identity/organisations/format';
import { useIncomingRequests, useSupportStats, type SupportRequest } from '../api';
import { AnswerActions } from '../answer';
import {
  NeedSummary,
  RecipientStatusBadge,
  RequestStatusBadge,
  StatsPanel,
  SupportTabs,
  UrgencyBadge,
  supportPaths,
} from '../components';
import '../../../identity/organisations/organisations.css';
import '../support.css';

type Filter = 'pending' | 'answered';

/** The requests sent to my organisation, to accept or decline, with our response record. */
export function IncomingRequestsPage() {
  const { t } = useTranslation();
  return (
    <div className="page support-page">
      <PageHeading>{t('support.incoming.title')}</PageHeading>
      <SupportTabs />
      <RequireSignIn>
        <Incoming />
      </RequireSignIn>
    </div>
  );
}

function Incoming() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const filter: Filter = params.get('status') === 'answered' ? 'answered' : 'pending';
  const incoming = useIncomingRequests(filter);
  const stats = useSupportStats();
  return (
    <>
      <p>{t('support.incoming.intro')}</p>
      {stats.data && <StatsPanel stats={stats.data} />}
      <nav className="support-filter" aria-label={t('support.incoming.filterLabel')}>
        <ul>
          {(['pending', 'answered'] as const).map((value) => (
            <li key={value}>
              <Link
                to={`${supportPaths.incoming}?status=${value}`}
                aria-current={value === filter ? 'page' : undefined}
              >
                {t(`support.incoming.filter.${value}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {incoming.isPending ? (
        <Loading />
      ) : incoming.isError ? (
        <LoadError error={incoming.error} onRetry={() => void incoming.refetch()} />
      ) : incoming.data.items.length === 0 ? (
        <EmptyState>
          <p>{t(`support.incoming.none.${filter}`)}</p>
        </EmptyState>
      ) : (
        <>
          <p className="support-live" aria-live="polite">
            {t(`support.incoming.count.${filter}`, { count: incoming.data.items.length })}
          </p>
          <ul className="support-cards">
            {incoming.data.items.map((request) => (
              <IncomingCard key={request.id} request={request} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function IncomingCard({ request }: { request: SupportRequest }) {
  const { t } = useTranslation();
  const format = useFormat();
  const headingId = `support-incoming-${request.id}`;
  return (
    <li className="support-card">
      <article aria-labelledby={headingId}>
        <h2 id={headingId} className="support-card__title">
          <Link to={supportPaths.request(request.id)}>
            {t('support.incoming.cardTitle', { name: request.requester.name })}
          </Link>
        </h2>
        <p className="orgs-badges">
          <UrgencyBadge urgency={request.need.urgency} />
          {request.status !== 'open' && <RequestStatusBadge status={request.status} />}
          {request.myResponse && request.myResponse.status !== 'pending' && (
            <RecipientStatusBadge status={request.myResponse.status} />
          )}
          <span className="muted">
            {t('support.incoming.receivedAt', { date: format.dateTime(request.createdAt) })}
          </span>
        </p>
        <NeedSummary need={request.need} />
        <AnswerActions request={request} />
      </article>
    </li>
  );
}
