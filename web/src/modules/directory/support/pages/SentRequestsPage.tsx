import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Loading, PageHeading } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { EmptyState, LoadError } from '../../../identity/organisations/components/notices';
import { useFormat } from '../../../identity/organisations/format';
import { useSentRequests, type SupportRequest } from '../api';
import {
  RecipientsTable,
  RequestStatusBadge,
  SupportTabs,
  UrgencyBadge,
  placeOf,
  supportPaths,
} from '../components';
import '../../../identity/organisations/organisations.css';
import '../support.css';

/** The requests my organisation sent, with each recipient's answer, refreshed as answers arrive. */
export function SentRequestsPage() {
  const { t } = useTranslation();
  return (
    <div className="page support-page">
      <PageHeading>{t('support.sent.title')}</PageHeading>
      <SupportTabs />
      <RequireSignIn>
        <SentRequests />
      </RequireSignIn>
    </div>
  );
}

function SentRequests() {
  const { t } = useTranslation();
  const sent = useSentRequests(undefined);
  if (sent.isPending) return <Loading />;
  if (sent.isError) return <LoadError error={sent.error} onRetry={() => void sent.refetch()} />;
  const items = sent.data.items;
  const open = items.filter((item) => item.status === 'open');
  const answers = open.flatMap((item) => item.recipients ?? []).filter((r) => r.status !== 'pending').length;
  return (
    <>
      <p>{t('support.sent.intro')}</p>
      {/* Read out when an answer arrives: the text changes only when the counts do. */}
      <p className="support-live" aria-live="polite">
        {t('support.sent.live', { open: open.length, answers })}
      </p>
      {items.length === 0 ? (
        <EmptyState>
          <p>{t('support.sent.none')}</p>
          <p>
            <Link to={supportPaths.find}>{t('support.sent.findLink')}</Link>
          </p>
        </EmptyState>
      ) : (
        <ul className="support-cards">
          {items.map((request) => (
            <SentRequestCard key={request.id} request={request} />
          ))}
        </ul>
      )}
    </>
  );
}

function SentRequestCard({ request }: { request: SupportRequest }) {
  const { t } = useTranslation();
  const format = useFormat();
  const headingId = `support-sent-${request.id}`;
  const services = request.need.services.map((s) => t(`directory.vocabulary.services.${s}`)).join(', ');
  return (
    <li className="support-card">
      <article aria-labelledby={headingId}>
        <h2 id={headingId} className="support-card__title">
          <Link to={supportPaths.request(request.id)}>
            {t('support.sent.cardTitle', { services, place: placeOf(request.need, format.language) })}
          </Link>
        </h2>
        <p className="orgs-badges">
          <RequestStatusBadge status={request.status} />
          <UrgencyBadge urgency={request.need.urgency} />
          <span className="muted">
            {t('support.sent.sentAt', { date: format.dateTime(request.createdAt) })}
          </span>
        </p>
        {request.acceptedBy && (
          <p className="support-accepted">
            {t('support.request.acceptedBy', { name: request.acceptedBy.name })}
          </p>
        )}
        <RecipientsTable recipients={request.recipients ?? []} />
      </article>
    </li>
  );
}
