import { Fragment, Suspense, useMemo, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { LANGUAGES } from '../i18n/languages';
import { AccountBar } from '../modules/identity/auth/AccountBar';
import { CasesNavLinks } from '../modules/cases/CasesNavLinks';
import { DirectoryNavLinks } from '../modules/directory/DirectoryNavLinks';
import { OrganisationNavLinks } from '../modules/identity/organisations/OrganisationNavLinks';
import { JourneysNavLinks } from '../modules/journeys/JourneysNavLinks';
import { MatchingNavLinks } from '../modules/matching/MatchingNavLinks';
import { ReferralsNavLinks } from '../modules/referrals/ReferralsNavLinks';
import { Loading, PageHeadingContext } from '../ui';
import { LanguageSwitcher } from './LanguageSwitcher';
import { Logo } from './Logo';

/** Moves focus into the main content without adding a fragment to the URL (which the router would see). */
function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
  const main = document.getElementById('main');
  if (!main) return;
  event.preventDefault();
  main.focus();
}

/** The layout around every page: skip link, header with navigation and language, main, footer. */
export function AppFrame() {
  const { t } = useTranslation();
  const location = useLocation();
  const [initialKey] = useState(location.key);
  const [navigated, setNavigated] = useState(false);
  // On first load focus stays at the top of the document; after any in-app navigation it goes to the new h1.
  if (!navigated && location.key !== initialKey) setNavigated(true);

  const headingSettings = useMemo(
    () => ({
      focusOnMount: navigated,
      formatTitle: (page: string) => t('app.documentTitle', { page }),
    }),
    [navigated, t],
  );

  return (
    <>
      <a className="skip-link" href="#main" onClick={skipToMain}>
        {t('app.skipToContent')}
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="brand" aria-label={t('app.homeLink')}>
            <Logo />
            <span className="brand__name">{t('app.name')}</span>
          </Link>
          <nav className="site-nav" aria-label={t('app.navLabel')}>
            <ul>
              <li>
                <NavLink to="/" end>
                  {t('app.nav.home')}
                </NavLink>
              </li>
              <li>
                <NavLink to="/status">{t('app.nav.status')}</NavLink>
              </li>
              <DirectoryNavLinks />
              {/* Cases (caseworkers and case supervisors) and case statistics (analysts). */}
              <CasesNavLinks />
              {/* Referrals with unread messages (case staff) and referral statistics (organisation admins). */}
              <ReferralsNavLinks />
              {/* The journey map for everyone; contributions (contributors) and their moderation (moderators). */}
              <JourneysNavLinks />
              {/* The matches inbox (case supervisors, investigators) or matching settings (organisation admins). */}
              <MatchingNavLinks />
              {/* Moderation, My organisation and Platform, each shown by the person's abilities. */}
              <OrganisationNavLinks />
            </ul>
          </nav>
          <LanguageSwitcher />
        </div>
        {/* Who is signed in and for which organisation, on every page; or a sign-in link. */}
        <AccountBar />
      </header>
      <main id="main" className="site-main" tabIndex={-1}>
        <PageHeadingContext value={headingSettings}>
          {/* A new page per path, so its heading mounts (and takes focus) even when the route is the same. */}
          <Fragment key={location.pathname}>
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </Fragment>
        </PageHeadingContext>
      </main>
      <footer className="site-footer">
        <div className="site-footer__inner">
          <p>{t('app.footer.license')}</p>
          <p>{t('app.footer.languages', { count: LANGUAGES.length })}</p>
        </div>
      </footer>
    </>
  );
}
