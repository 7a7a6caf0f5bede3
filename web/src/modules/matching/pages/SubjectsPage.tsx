import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Button, Loading, Table, useToast, type TableColumn } from '../../../ui';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import { useCloseSubject, useSubjects, type Subject } from '../api';
import { MatchingFrame, SubjectTitle } from '../components';
import { matchingPaths } from '../paths';

/** The organisation's registered investigations, operations and alerts and its case files, with how many overlaps each has. */
export function SubjectsPage() {
  const { t } = useTranslation();
  return (
    <MatchingFrame title={t('matching.subjects.title')} audience={['screener']}>
      {() => <Subjects />}
    </MatchingFrame>
  );
}

function Subjects() {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const subjects = useSubjects();
  const close = useCloseSubject();

  const columns: TableColumn<Subject>[] = [
    {
      key: 'title',
      header: t('matching.subjects.name'),
      isRowHeader: true,
      cell: (subject) => <SubjectTitle subject={subject} />,
    },
    {
      key: 'kind',
      header: t('matching.register.kind'),
      cell: (subject) => t(`matching.subjectKinds.${subject.kind}`),
    },
    {
      key: 'selectors',
      header: t('matching.subjects.selectors'),
      cell: (subject) =>
        subject.selectorTypes.length === 0
          ? t('matching.subjects.noSelectors')
          : subject.selectorTypes
              .map(({ type, count }) =>
                t('matching.subjects.selectorCount', {
                  type: t(`matching.selectorTypes.${type}`, { defaultValue: type }),
                  count,
                }),
              )
              .join(', '),
    },
    {
      key: 'place',
      header: t('matching.subjects.place'),
      cell: (subject) =>
        subject.country
          ? [
              subject.region ?? format.countries([subject.country]),
              subject.windowStart && subject.windowEnd
                ? t('matching.subjects.window', {
                    from: format.date(subject.windowStart),
                    to: format.date(subject.windowEnd),
                  })
                : null,
            ]
              .filter(Boolean)
              .join(' · ')
          : '—',
    },
    {
      key: 'matches',
      header: t('matching.subjects.matches'),
      align: 'end',
      cell: (subject) => subject.matches,
    },
    { key: 'date', header: t('matching.inbox.date'), cell: (subject) => format.date(subject.createdAt) },
    {
      key: 'status',
      header: t('matching.inbox.status'),
      cell: (subject) =>
        subject.status === 'open' && subject.kind === 'case' ? (
          // A case file follows its case: it closes when the case does, never by itself.
          <span className="orgs-badge orgs-badge--info">{t('matching.subjects.followsCase')}</span>
        ) : subject.status === 'open' ? (
          <Button
            variant="secondary"
            busy={close.isPending && close.variables === subject.id}
            aria-label={t('matching.subjects.closeNamed', { title: subject.title })}
            onClick={() => {
              const isAlert = subject.kind === 'alert';
              if (
                !window.confirm(
                  t(isAlert ? 'matching.subjects.confirmCloseAlert' : 'matching.subjects.confirmClose'),
                )
              )
                return;
              close.mutate(subject.id, {
                onSuccess: () =>
                  toast.show(t(isAlert ? 'matching.subjects.closedAlert' : 'matching.subjects.closed'), {
                    tone: 'success',
                  }),
                onError: (error) => toast.show(messageOf(error, t), { tone: 'error' }),
              });
            }}
          >
            {t('matching.subjects.close')}
          </Button>
        ) : (
          <span className="orgs-badge orgs-badge--neutral">{t('matching.subjects.statusClosed')}</span>
        ),
    },
  ];

  return (
    <>
      <p className="matching__lead">{t('matching.subjects.lead')}</p>
      <p>
        <Link to={matchingPaths.register} className="button button--primary">
          {t('matching.tabs.register')}
        </Link>
      </p>
      {subjects.isPending ? (
        <Loading />
      ) : subjects.isError ? (
        <LoadError error={subjects.error} onRetry={() => void subjects.refetch()} />
      ) : subjects.data.items.length === 0 ? (
        <EmptyState>{t('matching.subjects.empty')}</EmptyState>
      ) : (
        <Table
          caption={t('matching.subjects.caption', { count: subjects.data.items.length })}
          columns={columns}
          rows={subjects.data.items}
          rowKey={(subject) => subject.id}
        />
      )}
    </>
  );
}
