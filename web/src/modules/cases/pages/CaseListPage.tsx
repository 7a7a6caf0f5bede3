import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Button, Loading } from '../../../ui';
import { SelectField } from '../../identity/organisations/components/fields';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import {
  currentCursor,
  firstPage,
  nextPage,
  pageNumber,
  previousPage,
  type CursorTrail,
} from '../../identity/organisations/pagination';
import { casePaths, useCaseList } from '../api';
import { CasesFrame } from '../CasesFrame';
import { CaseTable, type CaseRoles } from '../components';
import { filtersOf } from '../list-filters';
import { CASE_STATUSES } from '../vocabulary';

/** How many cases a page of the list shows: enough to be useful, small enough for a slow connection. */
const PAGE_SIZE = 25;

/** Every case the reader may see, filtered, a page at a time. Nothing identifying is listed. */
export function CaseListPage() {
  const { t } = useTranslation();
  return <CasesFrame title={t('cases.list.title')}>{(roles) => <CaseList roles={roles} />}</CasesFrame>;
}

function CaseList({ roles }: { roles: CaseRoles }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params, roles.supervisor);
  const filterKey = JSON.stringify(filters);
  // The pages seen so far belong to one set of filters; other filters start again from the first page.
  const [trail, setTrail] = useState<{ key: string; trail: CursorTrail }>({
    key: filterKey,
    trail: firstPage,
  });
  const current = trail.key === filterKey ? trail.trail : firstPage;
  const list = useCaseList({ ...filters, limit: PAGE_SIZE, cursor: currentCursor(current) });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ['scope', 'status', 'closurePending']) {
      const value = data.get(name);
      if (typeof value === 'string' && value !== '') next.set(name, value);
    }
    setParams(next);
  };

  return (
    <>
      <p className="actions">
        <Link className="button button--primary" to={casePaths.intake}>
          {t('cases.dashboard.newCase')}
        </Link>
      </p>
      {/* Keyed by the filters, so choices follow the address when it changes (a link, the back button). */}
      <form key={filterKey} className="orgs-filters" onSubmit={apply} aria-label={t('cases.list.filters')}>
        {roles.supervisor && (
          <SelectField
            name="scope"
            label={t('cases.list.scope')}
            defaultValue={filters.scope}
            options={[
              { value: 'mine', label: t('cases.list.scopeMine') },
              { value: 'organisation', label: t('cases.list.scopeOrganisation') },
            ]}
          />
        )}
        <SelectField
          name="status"
          label={t('cases.list.status')}
          defaultValue={filters.status ?? ''}
          placeholder={t('cases.list.anyStatus')}
          options={CASE_STATUSES.map((value) => ({
            value,
            label: t(`cases.vocabulary.caseStatuses.${value}`),
          }))}
        />
        <SelectField
          name="closurePending"
          label={t('cases.list.closure')}
          defaultValue={filters.closurePending ?? ''}
          placeholder={t('cases.list.closureAny')}
          options={[
            { value: 'true', label: t('cases.list.closurePending') },
            { value: 'false', label: t('cases.list.closureNone') },
          ]}
        />
        <div className="orgs-filters__actions">
          <Button type="submit" variant="secondary">
            {t('cases.list.apply')}
          </Button>
        </div>
      </form>

      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState>
          <p>{t('cases.list.none')}</p>
        </EmptyState>
      ) : (
        <>
          <CaseTable
            caption={t('cases.list.caption', { page: pageNumber(current), count: list.data.items.length })}
            cases={list.data.items}
          />
          <nav className="orgs-pager" aria-label={t('cases.list.pages')}>
            <Button
              variant="secondary"
              disabled={pageNumber(current) === 1}
              onClick={() => setTrail({ key: filterKey, trail: previousPage(current) })}
            >
              {t('cases.list.previous')}
            </Button>
            <span className="orgs-pager__status" aria-live="polite">
              {t('cases.list.page', { page: pageNumber(current) })}
            </span>
            <Button
              variant="secondary"
              disabled={!list.data.nextCursor || list.isPlaceholderData}
              onClick={() =>
                list.data.nextCursor &&
                setTrail({ key: filterKey, trail: nextPage(current, list.data.nextCursor) })
              }
            >
              {t('cases.list.next')}
            </Button>
          </nav>
        </>
      )}
    </>
  );
}
