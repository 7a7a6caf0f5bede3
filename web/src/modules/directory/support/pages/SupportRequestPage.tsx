import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { referralPaths } from '../../../referrals/paths';
import { Loading, PageHeading } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { LoadError } from '../../../identity/organisations/components/notices';
import { useFormat } from '../../../identity/organisations/format';
import { useSupportRequest, type SupportRequest } from '../api';
import { AnswerActions, CloseAction } from '../answer';
import {
  NeedSummary,
  RecipientStatusBadge,
  RecipientsTable,
  RequestStatusBadge,
  SupportTabs,
  UrgencyBadge,
} from '../components';
import '../../../identity/organisations/organisations.css';
import '../support.css';

/** One support request: the need, where it stands, and what the reader's organisation can do with it. */
export function SupportRequestPage() {
  const { t } = useTranslation();
  return (
    <div className="page support-page">
      <PageHeading>{t('support.request.title')}</PageHeading>
      <SupportTabs />
      <RequireSignIn>
        <RequestLoader />
      </RequireSignIn>
    </div>
  );
}

function RequestLoader() {
  const { id = '' } = useParams();
  const request = useSupportRequest(id);
  if (request.isPending) return <Loading />;
  if (request.isError) return <LoadError error={request.error} onRetry={() => void request.refetch()} />;
  return <RequestView request={request.data} />;
}

function RequestView({ request }: { request: SupportRequest }) {
  const { t } = useTranslation();
  const format = useFormat();
  const mine = request.recipients !== undefined;
  return (
    <>
      <p className="orgs-badges">
        <RequestStatusBadge status={request.status} />
        <UrgencyBadge urgency={request.need.urgency} />
      </p>
      <p>
        {mine
          ? t('support.request.sentBy', { date: format.dateTime(request.createdAt) })
          : t('support.request.receivedFrom', {
              name: request.requester.name,
              date: format.dateTime(request.createdAt),
            })}
      </p>
      {/* Read out when the request changes while the reader is here (an answer, an acceptance). */}
      <div aria-live="polite">
        {request.acceptedBy && (
          <p className="support-accepted">
            {t('support.request.acceptedBy', { name: request.acceptedBy.name })}
          </p>
        )}
        {/* The requester turns the accepted request into a referral in one step (web/src/modules/referrals). */}
        {mine && request.acceptedBy && (
          <p>
            <Link className="button button--secondary" to={referralPaths.fromSupportRequest(request.id)}>
              {t('referrals.case.fromRequest')}
            </Link>
          </p>
        )}
        {request.status === 'closed' && <p>{t('support.request.closedNote')}</p>}
      </div>
      <section aria-labelledby="support-need-title" className="orgs-block">
        <h2 id="support-need-title">{t('support.request.needHeading')}</h2>
        <NeedSummary need={request.need} />
      </section>
      {mine ? (
        <section aria-labelledby="support-answers-title" className="orgs-block">
          <h2 id="support-answers-title">{t('support.request.answersHeading')}</h2>
          <RecipientsTable recipients={request.recipients ?? []} />
          <CloseAction request={request} />
        </section>
      ) : (
        request.myResponse && (
          <section aria-labelledby="support-mine-title" className="orgs-block">
            <h2 id="support-mine-title">{t('support.request.myAnswerHeading')}</h2>
            <p>
              <RecipientStatusBadge status={request.myResponse.status} />
            </p>
            {request.myResponse.declineReason && (
              <p>{t(`directory.vocabulary.declineReasons.${request.myResponse.declineReason}`)}</p>
            )}
            <AnswerActions request={request} />
          </section>
        )
      )}
    </>
  );
}
