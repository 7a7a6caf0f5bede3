import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useFormat } from '../../../identity/organisations/format';
import { languageName } from '../../profile/present';
import type { PersonSummary } from '../api';
import { expertiseKey, peoplePaths } from '../people';

/** Languages named in the reader's language, as a list in their grammar ("Swahili, Thai and English"). */
export function useLanguageList() {
  const format = useFormat();
  return (codes: readonly string[]) => {
    const names = codes.map((code) => languageName(code, format.language));
    try {
      return new Intl.ListFormat([format.language], { style: 'long', type: 'conjunction' }).format(names);
    } catch {
      return names.join(', ');
    }
  };
}

/** One person in the search results: who, where they work, what they know, and a way to open the profile. */
export function PersonCard({ person }: { person: PersonSummary }) {
  const { t } = useTranslation();
  const format = useFormat();
  const languages = useLanguageList();
  return (
    <article className="people-card" aria-labelledby={`person-${person.personId}`}>
      <h3 className="people-card__name" id={`person-${person.personId}`}>
        <Link to={peoplePaths.person(person.personId)}>{person.name}</Link>
      </h3>
      <p className="people-card__line">
        {person.jobTitle
          ? t('people.roleAt', { role: person.jobTitle, organisation: person.organisation.name })
          : person.organisation.name}
      </p>
      {person.expertise.length > 0 && (
        <ul className="dir-tags" aria-label={t('people.fields.expertise')}>
          {person.expertise.map((code) => (
            <li key={code} className="dir-tag">
              {t(expertiseKey(code))}
            </li>
          ))}
        </ul>
      )}
      <dl className="people-facts">
        {person.languages.length > 0 && (
          <div>
            <dt>{t('people.fields.languages')}</dt>
            <dd>{languages(person.languages)}</dd>
          </div>
        )}
        {person.countries.length > 0 && (
          <div>
            <dt>{t('people.fields.countries')}</dt>
            <dd>{format.countries(person.countries)}</dd>
          </div>
        )}
      </dl>
      <p className="people-meta">{t('people.updated', { date: format.date(person.updatedAt) })}</p>
    </article>
  );
}
