import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import { FALLBACK_LANGUAGE } from '../../../i18n/languages';
import { Loading, PageHeading, VisuallyHidden } from '../../../ui';
import { TierBadge } from '../../identity/organisations/components/badges';
import { LoadError } from '../../identity/organisations/components/notices';
import { countryName, sortCodesByName } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { vocabularyKey, type ProfileField, type VocabularyName } from '../vocabulary';
import { useProfile, type Hotline, type Office, type Profile } from './api';
import { hotlineHref, isExternalHref, languageName, orderDescriptions, safeWebAddress } from './present';
import '../../identity/organisations/organisations.css';
import './profile.css';

/** Where the search page left the reader, so "back" returns to the same results. */
export interface FromSearchState {
  fromSearch?: string;
}

/** The search to go back to: the one the reader came from, or the directory's start. */
function useBackToSearch(): string {
  const location = useLocation();
  const state = location.state as FromSearchState | null;
  return `/directory${state?.fromSearch ?? ''}`;
}

/**
 * An organisation's directory profile: every field the server sent (what the reader may not see is not
 * sent, so it is not shown), when it was last updated, and what the reader may do next.
 */
export function ProfilePage() {
  const { t } = useTranslation();
  const { organisationId = '' } = useParams();
  const profile = useProfile(organisationId);
  const back = useBackToSearch();

  if (profile.isPending || profile.isError) {
    return (
      <div className="page page--narrow">
        <p className="orgs-back">
          <Link to={back}>{t('directory.profile.back')}</Link>
        </p>
        <PageHeading>{t('directory.profile.title')}</PageHeading>
        {profile.isPending ? (
          <Loading />
        ) : (
          <LoadError error={profile.error} onRetry={() => void profile.refetch()} />
        )}
      </div>
    );
  }
  return <ProfileView profile={profile.data} back={back} />;
}

function ProfileView({ profile, back }: { profile: Profile; back: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { abilities } = profile;

  return (
    <div className="page page--narrow dir-profile">
      <p className="orgs-back">
        <Link to={back}>{t('directory.profile.back')}</Link>
      </p>
      <PageHeading>{profile.name}</PageHeading>
      <p className="orgs-badges">
        <span className="orgs-badge orgs-badge--neutral">{t(`orgs.types.${profile.type}`)}</span>{' '}
        <TierBadge tier={profile.tier} />
      </p>
      {profile.otherNames && profile.otherNames.length > 0 && (
        <p>
          {t('directory.profile.otherNames')}{' '}
          {profile.otherNames.map((name, index) => (
            <span key={name}>
              {index > 0 && ', '}
              {/* Other names are often in another script; bdi keeps each one in its own direction. */}
              <bdi>{name}</bdi>
            </span>
          ))}
          <VisibleTo profile={profile} field="otherNames" />
        </p>
      )}
      <p className="muted">{t('directory.profile.lastUpdated', { date: format.date(profile.updatedAt) })}</p>

      {profile.stale && (
        <div className="notice orgs-notice--warning">
          <p>{t('directory.profile.stale')}</p>
          {abilities.edit && <p>{t('directory.profile.staleEditor')}</p>}
        </div>
      )}
      {abilities.edit && !profile.listed && (
        <div className="notice">
          <p>{t('directory.profile.unlisted')}</p>
        </div>
      )}
      {abilities.edit && profile.hideExactLocation && (
        <div className="notice">
          <p>{t('directory.profile.locationHiddenOwn')}</p>
        </div>
      )}

      {(abilities.edit || abilities.requestSupport) && (
        <div className="actions dir-profile__actions">
          {abilities.requestSupport && (
            <Link
              className="button button--primary"
              to={`/directory/find-support?to=${encodeURIComponent(profile.organisationId)}`}
            >
              {t('directory.profile.requestSupport')}
            </Link>
          )}
          {abilities.edit && (
            <Link
              className="button button--secondary"
              to={`/directory/organisations/${profile.organisationId}/edit`}
            >
              {t('directory.profile.edit')}
            </Link>
          )}
        </div>
      )}

      {profile.descriptions && profile.descriptions.length > 0 && (
        <Section title={t('directory.profile.about')} profile={profile} field="descriptions">
          <Descriptions descriptions={profile.descriptions} />
        </Section>
      )}

      <WhatWeDo profile={profile} />
      <WhereWeWork profile={profile} />
      <HowToReach profile={profile} />

      {profile.networks && profile.networks.length > 0 && (
        <Section title={t('directory.profile.networks')} profile={profile} field="networks">
          <ul className="dir-list">
            {profile.networks.map((network) => (
              <li key={network}>
                <bdi>{network}</bdi>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}

/** For the organisation's own admins: who can see this field (others are never told). */
function VisibleTo({ profile, field }: { profile: Profile; field: ProfileField }) {
  const { t } = useTranslation();
  const level = profile.visibility?.[field];
  if (!level) return null;
  return (
    <span className="dir-visible-to">
      {t('directory.profile.visibleTo', { audience: t(vocabularyKey('visibility', level)) })}
    </span>
  );
}

/** A headed part of the profile. */
function Section({
  title,
  profile,
  field,
  level = 2,
  children,
}: {
  title: string;
  profile: Profile;
  field?: ProfileField;
  level?: 2 | 3;
  children: ReactNode;
}) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className={level === 2 ? 'dir-profile__section' : 'dir-profile__part'}>
      <Heading>
        {title}
        {field && (
          <>
            {' '}
            <VisibleTo profile={profile} field={field} />
          </>
        )}
      </Heading>
      {children}
    </section>
  );
}

/** The descriptions, the reader's language first, with a switch to read the others. */
function Descriptions({ descriptions }: { descriptions: NonNullable<Profile['descriptions']> }) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? FALLBACK_LANGUAGE;
  const ordered = orderDescriptions(descriptions, language);
  const [chosen, setChosen] = useState<string | null>(null);
  const shown = ordered.find((d) => d.language === chosen) ?? ordered[0];
  if (!shown) return null;
  return (
    <>
      {ordered.length > 1 && (
        <div className="dir-languages" role="group" aria-label={t('directory.profile.readIn')}>
          <span aria-hidden="true">{t('directory.profile.readIn')}</span>
          {ordered.map((d) => (
            <button
              key={d.language}
              type="button"
              className="button button--quiet dir-languages__choice"
              aria-pressed={d.language === shown.language}
              onClick={() => setChosen(d.language)}
            >
              {languageName(d.language, language)}
            </button>
          ))}
        </div>
      )}
      {/* The text is in the organisation's language, which screen readers need to pronounce it. */}
      <div lang={shown.language} dir="auto" className="dir-description">
        <p className="orgs-lead">{shown.short}</p>
        {shown.long && <p className="orgs-pre-line">{shown.long}</p>}
      </div>
    </>
  );
}

/** A list of vocabulary codes, named in the reader's language. */
function CodeList({ vocabulary, codes }: { vocabulary: VocabularyName; codes: readonly string[] }) {
  const { t } = useTranslation();
  return (
    <ul className="dir-tags">
      {codes.map((code) => (
        <li key={code} className="dir-tag">
          {t(vocabularyKey(vocabulary, code))}
        </li>
      ))}
    </ul>
  );
}

function WhatWeDo({ profile }: { profile: Profile }) {
  const { t } = useTranslation();
  const parts: { field: ProfileField; vocabulary: VocabularyName; codes?: readonly string[] }[] = [
    { field: 'services', vocabulary: 'services', codes: profile.services },
    { field: 'populations', vocabulary: 'populations', codes: profile.populations },
    { field: 'exploitationTypes', vocabulary: 'exploitationTypes', codes: profile.exploitationTypes },
    { field: 'focus', vocabulary: 'focus', codes: profile.focus },
    { field: 'industries', vocabulary: 'industries', codes: profile.industries },
  ];
  const shown = parts.filter((part) => part.codes && part.codes.length > 0);
  if (shown.length === 0) return null;
  return (
    <section className="dir-profile__section">
      <h2>{t('directory.profile.whatWeDo')}</h2>
      {shown.map((part) => (
        <Section
          key={part.field}
          level={3}
          title={t(`directory.fields.${part.field}`)}
          profile={profile}
          field={part.field}
        >
          <CodeList vocabulary={part.vocabulary} codes={part.codes ?? []} />
        </Section>
      ))}
    </section>
  );
}

function WhereWeWork({ profile }: { profile: Profile }) {
  const { t } = useTranslation();
  const format = useFormat();
  const countries = profile.countries ?? [];
  const regions = profile.regions ?? [];
  const offices = profile.offices ?? [];
  if (countries.length === 0 && regions.length === 0 && offices.length === 0) return null;
  return (
    <section className="dir-profile__section">
      <h2>{t('directory.profile.whereWeWork')}</h2>
      {countries.length > 0 && (
        <Section level={3} title={t('directory.fields.countries')} profile={profile} field="countries">
          <ul className="dir-tags">
            {sortCodesByName(countries, format.language).map((code) => (
              <li key={code} className="dir-tag">
                {countryName(code, format.language)}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {regions.length > 0 && (
        <Section level={3} title={t('directory.fields.regions')} profile={profile} field="regions">
          <ul className="dir-tags">
            {regions.map((region) => (
              <li key={region.code} className="dir-tag">
                {t('directory.profile.regionIn', {
                  region: region.name,
                  country: countryName(region.code.slice(0, 2), format.language),
                })}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {offices.length > 0 && (
        <Section level={3} title={t('directory.fields.offices')} profile={profile} field="offices">
          <ul className="dir-cards">
            {offices.map((office) => (
              <OfficeCard key={office.id} office={office} />
            ))}
          </ul>
        </Section>
      )}
    </section>
  );
}

function OfficeCard({ office }: { office: Office }) {
  const { t } = useTranslation();
  const format = useFormat();
  const hidden = office.latitude === null || office.longitude === null;
  const place = [office.placeName, office.regionName, countryName(office.country, format.language)]
    .filter(Boolean)
    .join(', ');
  const phone = office.phone ? hotlineHref('phone', office.phone) : null;
  return (
    <li className="dir-card">
      <h4 className="dir-card__title">
        <bdi>{office.label}</bdi>
        {office.isMain && (
          <>
            {' '}
            <span className="orgs-badge orgs-badge--neutral">{t('directory.profile.mainOffice')}</span>
          </>
        )}
      </h4>
      <p className="dir-card__line">{place}</p>
      {(office.street || office.postalCode) && (
        <p className="dir-card__line orgs-break">
          {[office.street, office.postalCode].filter(Boolean).join(', ')}
        </p>
      )}
      {office.phone && (
        <p className="dir-card__line">
          {t('directory.profile.phone')}{' '}
          {phone ? (
            <a href={phone} dir="ltr">
              {office.phone}
            </a>
          ) : (
            <span dir="ltr">{office.phone}</span>
          )}
        </p>
      )}
      {hidden && <p className="dir-card__line muted">{t('directory.profile.locationHidden')}</p>}
    </li>
  );
}

function HowToReach({ profile }: { profile: Profile }) {
  const { t } = useTranslation();
  const format = useFormat();
  const hotlines = profile.hotlines ?? [];
  const contacts = profile.contacts ?? [];
  const languages = profile.languages ?? [];
  const website = profile.website ? safeWebAddress(profile.website) : null;
  if (hotlines.length === 0 && contacts.length === 0 && languages.length === 0 && !profile.website) {
    return null;
  }
  return (
    <section className="dir-profile__section">
      <h2>{t('directory.profile.howToReach')}</h2>
      {hotlines.length > 0 && (
        <Section level={3} title={t('directory.fields.hotlines')} profile={profile} field="hotlines">
          <ul className="dir-cards">
            {hotlines.map((hotline, index) => (
              <HotlineCard key={`${hotline.channel}-${hotline.number}-${index}`} hotline={hotline} />
            ))}
          </ul>
        </Section>
      )}
      {profile.website && (
        <Section level={3} title={t('directory.fields.website')} profile={profile} field="website">
          <p className="orgs-break">
            {website ? <ExternalLink href={website}>{profile.website}</ExternalLink> : profile.website}
          </p>
        </Section>
      )}
      {contacts.length > 0 && (
        <Section level={3} title={t('directory.fields.contacts')} profile={profile} field="contacts">
          <ul className="dir-cards">
            {contacts.map((contact, index) => {
              const email = contact.email ? hotlineHref('email', contact.email) : null;
              const phone = contact.phone ? hotlineHref('phone', contact.phone) : null;
              return (
                <li key={`${contact.label}-${index}`} className="dir-card">
                  <h4 className="dir-card__title">
                    <bdi>{contact.label}</bdi>
                  </h4>
                  {contact.email && (
                    <p className="dir-card__line orgs-break">
                      {email ? <a href={email}>{contact.email}</a> : contact.email}
                    </p>
                  )}
                  {contact.phone && (
                    <p className="dir-card__line" dir="ltr">
                      {phone ? <a href={phone}>{contact.phone}</a> : contact.phone}
                    </p>
                  )}
                </li>
              );
            })}
          </ul>
        </Section>
      )}
      {languages.length > 0 && (
        <Section level={3} title={t('directory.fields.languages')} profile={profile} field="languages">
          <ul className="dir-tags">
            {languages.map((code) => (
              <li key={code} className="dir-tag">
                {languageName(code, format.language)}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </section>
  );
}

function HotlineCard({ hotline }: { hotline: Hotline }) {
  const { t } = useTranslation();
  const format = useFormat();
  const href = hotlineHref(hotline.channel, hotline.number);
  return (
    <li className="dir-card">
      <h4 className="dir-card__title">{t(vocabularyKey('hotlineChannels', hotline.channel))}</h4>
      <p className="dir-card__line orgs-break">
        {href === null ? (
          <span dir="ltr">{hotline.number}</span>
        ) : isExternalHref(href) ? (
          <ExternalLink href={href}>{hotline.number}</ExternalLink>
        ) : (
          <a href={href} dir="ltr">
            {hotline.number}
          </a>
        )}
      </p>
      {hotline.hours && (
        <p className="dir-card__line">
          {t('directory.profile.hours')} <bdi>{hotline.hours}</bdi>
        </p>
      )}
      {hotline.languages.length > 0 && (
        <p className="dir-card__line">
          {t('directory.profile.hotlineLanguages', {
            languages: hotline.languages.map((code) => languageName(code, format.language)).join(', '),
          })}
        </p>
      )}
    </li>
  );
}

/** A link to another site: a new tab without the referrer (so the profile's address does not travel). */
function ExternalLink({ href, children }: { href: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" dir="ltr">
      {children}
      <VisuallyHidden>{` ${t('directory.profile.newTab')}`}</VisuallyHidden>
    </a>
  );
}
