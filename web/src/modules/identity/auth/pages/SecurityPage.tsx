import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageHeading } from '../../../../ui';
import { authPaths } from '../navigation';
import { RequireSignIn } from '../RequireSignIn';
import { useStepUp } from '../useStepUp';
import { PasskeysSection } from './security/PasskeysSection';
import { PasswordSection } from './security/PasswordSection';
import { RecoveryCodesSection } from './security/RecoveryCodesSection';
import { TotpSection } from './security/TotpSection';
import './auth.css';

/** "Sign-in and security": passkeys, authenticator app, recovery codes and password. */
export function SecurityPage() {
  const { t } = useTranslation();
  const stepUp = useStepUp();
  return (
    <div className="page page--narrow">
      <PageHeading>{t('auth.security.title')}</PageHeading>
      <RequireSignIn allowUnenrolled>
        {(me) => (
          <>
            <p>{t('auth.security.intro')}</p>
            <p>
              <Link to={authPaths.sessions}>{t('auth.security.sessionsLink')}</Link>
            </p>
            <PasskeysSection stepUp={stepUp} />
            <TotpSection me={me} stepUp={stepUp} />
            <RecoveryCodesSection me={me} />
            <PasswordSection />
            {stepUp.dialog}
          </>
        )}
      </RequireSignIn>
    </div>
  );
}
