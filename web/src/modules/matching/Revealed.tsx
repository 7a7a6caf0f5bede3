import { useId } from 'react';
import { useTranslation } from 'react-i18next';

/** In plain words: what a match or a lookup tells either side, and what it never does. */
export function Revealed() {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="notice matching-revealed" aria-labelledby={id}>
      <h2 id={id}>{t('matching.revealed.title')}</h2>
      <p>{t('matching.revealed.lead')}</p>
      <p>{t('matching.revealed.cases')}</p>
      <h3>{t('matching.revealed.isTitle')}</h3>
      <ul>
        <li>{t('matching.revealed.is1')}</li>
        <li>{t('matching.revealed.is2')}</li>
        <li>{t('matching.revealed.is3')}</li>
      </ul>
      <h3>{t('matching.revealed.notTitle')}</h3>
      <ul>
        <li>{t('matching.revealed.not1')}</li>
        <li>{t('matching.revealed.not2')}</li>
        <li>{t('matching.revealed.not3')}</li>
      </ul>
      <p>{t('matching.revealed.next')}</p>
    </section>
  );
}
