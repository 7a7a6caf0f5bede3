import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Loading, VisuallyHidden } from '../../../../ui';
import { FieldText, fieldClass, useFieldFrame } from '../../../identity/organisations/components/fields';
import { emptySearch, searchQueryOf } from '../../search/url-state';
import { useDirectorySearch } from '../../search/api';
import { useProfiles } from '../api';

/** The most partners the server keeps. */
const MAX_PARTNERS = 500;

/**
 * The organisations that see this one's partners-only fields, chosen by searching the directory. Names come
 * from their profiles; a partner that has left the directory is still listed (by a placeholder) so it can
 * be removed.
 */
export function PartnersSection({
  name,
  organisationId,
  value,
  onChange,
  unavailable,
}: {
  name: string;
  organisationId: string;
  value: readonly string[];
  onChange: (ids: string[]) => void;
  /** Why the list cannot be changed here (the server refused to show it), if it cannot. */
  unavailable?: string;
}) {
  const { t } = useTranslation();
  const frame = useFieldFrame(name, t('directory.editor.partners.hint'), undefined);
  const profiles = useProfiles(value);
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const results = useDirectorySearch(
    { ...searchQueryOf({ ...emptySearch, q: query }), pageSize: 10 },
    query !== '',
  );

  const find = () => setQuery(text.trim());
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    // Enter searches here; it must not submit the whole profile.
    if (event.key === 'Enter') {
      event.preventDefault();
      find();
    }
  };

  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group dir-editor__group')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">{t('directory.editor.partners.legend')}</legend>
      <FieldText frame={frame} hint={t('directory.editor.partners.hint')} />
      {unavailable ? (
        <p className="notice">{unavailable}</p>
      ) : (
        <>
          <p className="orgs-countries__summary">
            {t('directory.editor.partners.count', { count: value.length })}
          </p>
          {value.length > 0 && (
            <ul className="dir-partners">
              {value.map((id, index) => {
                const profile = profiles[index];
                const label =
                  profile?.data?.name ??
                  (profile?.isPending ? t('ui.loading') : t('directory.editor.partners.unknown'));
                return (
                  <li key={id} className="dir-partners__item">
                    <span>{label}</span>
                    <Button variant="quiet" onClick={() => onChange(value.filter((v) => v !== id))}>
                      {t('directory.editor.remove')}
                      <VisuallyHidden>{` ${label}`}</VisuallyHidden>
                    </Button>
                  </li>
                );
              })}
            </ul>
          )}
          <label className="orgs-countries__search-label" htmlFor={frame.id}>
            {t('directory.editor.partners.search')}
          </label>
          <div className="dir-searchbox__row">
            <input
              id={frame.id}
              type="search"
              className="field__input"
              value={text}
              autoComplete="off"
              maxLength={200}
              onChange={(event) => setText(event.target.value)}
              onKeyDown={onKeyDown}
            />
            <Button variant="secondary" onClick={find}>
              {t('directory.editor.partners.find')}
            </Button>
          </div>
          <div aria-live="polite">
            {query !== '' &&
              (results.isPending ? (
                <Loading label={t('directory.search.searching')} />
              ) : results.isError ? (
                <p className="field__error">{t('directory.editor.partners.failed')}</p>
              ) : (
                <>
                  <p className="muted">
                    {t('directory.editor.partners.found', { count: results.data.total })}
                  </p>
                  <ul className="dir-partners">
                    {results.data.items
                      .filter((hit) => hit.organisationId !== organisationId)
                      .map((hit) => {
                        const chosen = value.includes(hit.organisationId);
                        return (
                          <li key={hit.organisationId} className="dir-partners__item">
                            <span>{hit.name}</span>
                            <Button
                              variant="secondary"
                              disabled={chosen || value.length >= MAX_PARTNERS}
                              onClick={() => onChange([...value, hit.organisationId])}
                            >
                              {chosen
                                ? t('directory.editor.partners.added')
                                : t('directory.editor.partners.add')}
                              <VisuallyHidden>{` ${hit.name}`}</VisuallyHidden>
                            </Button>
                          </li>
                        );
                      })}
                  </ul>
                </>
              ))}
          </div>
        </>
      )}
    </fieldset>
  );
}
