import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ReferralsFrame } from '../components';
import { ThreadView } from '../Thread';

/** A message thread on its own page (emails link here); the same view the referral page embeds. */
export function ThreadPage() {
  const { t } = useTranslation();
  const { threadId = '' } = useParams();
  return (
    <ReferralsFrame title={t('referrals.thread.heading')} tabs={false}>
      {() => <ThreadView key={threadId} threadId={threadId} showSubjectLink />}
    </ReferralsFrame>
  );
}
