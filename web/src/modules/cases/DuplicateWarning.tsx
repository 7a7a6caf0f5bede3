import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { casePaths, checkDuplicates, type DuplicateCheckInput, type DuplicateMatch } from './api';

/** How long typing must pause before the organisation's cases are checked. */
const PAUSE_MS = 700;

/**
 * Checks, after a pause in typing, whether the organisation already has a case with these document numbers
 * or this family name and birth year. The server compares keyed digests only.
 *
 * SECURITY: the answer is kept in this component's state, not in the query cache: the request carries a
 * document number and a name, and the cache would keep them in memory long after the form is gone.
 */
export function useDuplicateCheck(selector: DuplicateCheckInput | null, excludeCaseId?: string) {
  const key = selector ? JSON.stringify({ ...selector, excludeCaseId }) : '';
  const [result, setResult] = useState<{ key: string; matches: DuplicateMatch[] } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    if (key === '') return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const body = JSON.parse(key) as DuplicateCheckInput;
      checkDuplicates(body, controller.signal).then(
        (answer) => setResult({ key, matches: answer.matches }),
        () => {
          if (!controller.signal.aborted) setFailed(key);
        },
      );
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);

  return {
    matches: result && result.key === key ? result.matches : [],
    failed: failed === key && key !== '',
  };
}

/**
 * "Possible duplicate": each matching case with a link when the reader may open it, and otherwise the
 * advice to ask a supervisor (the server does not say which case it is). The live region is always in the
 * page, so a warning that appears while typing is announced.
 */
export function DuplicateWarning({
  matches,
  failed,
}: {
  matches: readonly DuplicateMatch[];
  failed: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div aria-live="polite" className="cases-duplicates">
      {matches.length > 0 && (
        <div className="notice orgs-notice--warning">
          <h3 className="cases-notice-title">{t('cases.duplicates.title', { count: matches.length })}</h3>
          <ul>
            {matches.map((match, index) => (
              <li key={`${match.on}-${match.caseId ?? index}`}>
                {match.caseId && match.reference ? (
                  <>
                    {t(`cases.duplicates.on.${match.on}`)}{' '}
                    <Link to={casePaths.file(match.caseId)}>
                      {t('cases.duplicates.open', { reference: match.reference })}
                    </Link>
                  </>
                ) : (
                  <>
                    {t(`cases.duplicates.on.${match.on}`)} {t('cases.duplicates.askSupervisor')}
                  </>
                )}
              </li>
            ))}
          </ul>
          <p>{t('cases.duplicates.advice')}</p>
        </div>
      )}
      {failed && <p className="muted">{t('cases.duplicates.failed')}</p>}
    </div>
  );
}
