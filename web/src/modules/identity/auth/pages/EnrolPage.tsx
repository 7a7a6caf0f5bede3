import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { PageHeading } from '../../../../ui';
import { AddPasskeyForm } from '../AddPasskeyForm';
import { authPaths, safeNextPath } from '../navigation';
import { RequireSignIn } from '../RequireSignIn';
import { activeMembershipOf, fetchMe, meQueryKey, type Me } from '../useMe';
import './auth.css';

/** Why this person needs a passkey, then the form to add one. */
function EnrolContent({ me }: { me: Me }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  const organisation = activeMembershipOf(me)?.organisation.name;

  const added = async () => {
    const person = await queryClient.fetchQuery({
      queryKey: meQueryKey,
      queryFn: ({ signal }) => fetchMe(signal),
      staleTime: 0,
    });
    if (person?.hasRequiredFactor) await navigate(next, { replace: true });
  };

  if (me.hasRequiredFactor) {
    return (
      <div className="notice" role="status">
        <p>{t('auth.enrol.ready')}</p>
        <p>
          <Link to={next}>{t('auth.enrol.continue')}</Link>
        </p>
      </div>
    );
  }

  return (
    <>
      <p className="auth-lead">
        {organisation ? t('auth.enrol.whyOrganisation', { organisation }) : t('auth.enrol.why')}
      </p>
      <p>{t('auth.enrol.whatIsPasskey')}</p>
      <p>{t('auth.enrol.howTo')}</p>
      <AddPasskeyForm onAdded={() => void added()} />
      {me.requiredFactor === 'passkey_or_totp' && (
        <p>
          {t('auth.enrol.totpAllowed')} <Link to={authPaths.security}>{t('auth.enrol.totpLink')}</Link>
        </p>
      )}
      <p className="muted">{t('auth.enrol.help')}</p>
    </>
  );
}

/**
 * The gate for people whose role needs a passkey they have not added yet: the server lets them do nothing
 * else, so this page explains why and lets them add one here and now.
 */
export function EnrolPage() {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <PageHeading>{t('auth.enrol.title')}</PageHeading>
      <RequireSignIn allowUnenrolled>{(me) => <EnrolContent me={me} />}</RequireSignIn>
    </div>
  );
}
