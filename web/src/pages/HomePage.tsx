import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageHeading } from '../ui';
import './home.css';

// The capabilities, in the order a new organisation usually meets them.
const FEATURES = ['directory', 'cases', 'referrals', 'matching', 'journeys', 'community'] as const;

/** The front page: what Cairn is and what it does, in plain words. */
export function HomePage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <PageHeading>{t('home.title')}</PageHeading>
      <p className="lead">{t('home.intro')}</p>

      <section className="section" aria-labelledby="home-join">
        <h2 id="home-join">{t('home.join.title')}</h2>
        <p>{t('home.join.body')}</p>
        <p className="home-join__actions">
          <Link to="/organisations/apply">{t('home.join.apply')}</Link>
          <Link to="/sign-in">{t('home.join.signIn')}</Link>
        </p>
      </section>

      <section className="section" aria-labelledby="home-features">
        <h2 id="home-features">{t('home.featuresHeading')}</h2>
        <ul className="feature-grid">
          {FEATURES.map((feature) => (
            <li key={feature} className="card">
              <h3 className="card__title">{t(`home.features.${feature}.title`)}</h3>
              <p>{t(`home.features.${feature}.body`)}</p>
            </li>
          ))}
        </ul>
      </section>

      <section className="section callout" aria-labelledby="home-privacy">
        <h2 id="home-privacy">{t('home.privacy.title')}</h2>
        <p>{t('home.privacy.body')}</p>
      </section>
    </div>
  );
}
