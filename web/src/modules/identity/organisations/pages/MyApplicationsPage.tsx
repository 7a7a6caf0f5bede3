import { useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../../../api/client';
import { Button, Form, Loading, PageHeading, useToast } from '../../../../ui';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { orgKeys, type MyApplication } from '../api';
import { StatusBadge } from '../components/badges';
import { TextAreaField } from '../components/fields';
import { EmptyState, LoadError } from '../components/notices';
import { textOf } from '../form-data';
import { useFormat } from '../format';
import { required, useFormMutation, useMyApplications } from '../queries';
import '../organisations.css';

/** The applications the signed-in person made: where each stands, and the moderator's questions. */
export function MyApplicationsPage() {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <PageHeading>{t('orgs.mine.title')}</PageHeading>
      {/* Applicants need no second factor to follow their applications (the server agrees). */}
      <RequireSignIn allowUnenrolled>
        <ApplicationList />
      </RequireSignIn>
    </div>
  );
}

function ApplicationList() {
  const { t } = useTranslation();
  const applications = useMyApplications();
  return applications.isPending ? (
    <Loading />
  ) : applications.isError ? (
    <LoadError error={applications.error} onRetry={() => void applications.refetch()} />
  ) : applications.data.length === 0 ? (
    <EmptyState>
      <p>{t('orgs.mine.empty')}</p>
      <p>
        <Link to="/organisations/apply">{t('orgs.mine.apply')}</Link>
      </p>
    </EmptyState>
  ) : (
    <>
      <ul className="orgs-cards">
        {applications.data.map((application) => (
          <li key={application.id}>
            <ApplicationCard application={application} />
          </li>
        ))}
      </ul>
      <p>
        <Link to="/organisations/apply">{t('orgs.mine.applyAnother')}</Link>
      </p>
    </>
  );
}

function ApplicationCard({ application }: { application: MyApplication }) {
  const { t } = useTranslation();
  const format = useFormat();
  const headingId = useId();
  return (
    <article className="orgs-card" aria-labelledby={headingId}>
      <div className="orgs-card__header">
        <h2 id={headingId} className="orgs-card__title">
          {application.name}
        </h2>
        <StatusBadge status={application.status} />
      </div>
      <p className="muted">{t(`orgs.mine.statusHelp.${application.status}`)}</p>
      <dl className="orgs-details">
        <dt>{t('orgs.fields.type')}</dt>
        <dd>{t(`orgs.types.${application.type}`)}</dd>
        <dt>{t('orgs.fields.countries')}</dt>
        <dd>{format.countries(application.countries)}</dd>
        <dt>{t('orgs.fields.submitted')}</dt>
        <dd>{format.date(application.submittedAt)}</dd>
        {application.tier && (
          <>
            <dt>{t('orgs.fields.tier')}</dt>
            <dd>{t(`orgs.tiers.${application.tier}.name`)}</dd>
          </>
        )}
      </dl>
      {application.moderatorNote && (
        <div
          className={`orgs-message ${application.status === 'rejected' ? 'orgs-message--danger' : 'orgs-message--question'}`}
        >
          <h3 className="orgs-message__title">
            {t(application.status === 'rejected' ? 'orgs.mine.reason' : 'orgs.mine.question')}
          </h3>
          <p className="orgs-message__text">{application.moderatorNote}</p>
        </div>
      )}
      {application.myResponse && (
        <div className="orgs-message">
          <h3 className="orgs-message__title">{t('orgs.mine.yourAnswer')}</h3>
          <p className="orgs-message__text">{application.myResponse}</p>
        </div>
      )}
      {application.abilities.respond && <RespondForm application={application} />}
    </article>
  );
}

function RespondForm({ application }: { application: MyApplication }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const respond = useFormMutation(
    (message: string) =>
      required(
        api.POST('/api/identity/organisations/{id}/respond', {
          params: { path: { id: application.id } },
          body: { message },
        }),
      ),
    {
      fields: ['message'],
      onSuccess: async (updated) => {
        queryClient.setQueryData<MyApplication[]>(orgKeys.myApplications, (list) =>
          list?.map((item) => (item.id === updated.id ? updated : item)),
        );
        toast.show(t('orgs.mine.answerSent'), { tone: 'success' });
        await queryClient.invalidateQueries({ queryKey: orgKeys.myApplications });
      },
    },
  );
  const onSubmit = (data: FormData) => {
    const message = textOf(data, 'message');
    if (!message) respond.setErrors({ fieldErrors: { message: t('orgs.mine.answerRequired') } });
    else respond.mutate(message);
  };
  return (
    <Form
      errors={respond.errors.fieldErrors}
      formError={respond.errors.formError}
      onSubmit={onSubmit}
      className="orgs-respond"
    >
      <TextAreaField
        name="message"
        label={t('orgs.mine.answerLabel')}
        hint={t('orgs.mine.answerHint')}
        maxLength={4000}
        required
      />
      <Button type="submit" busy={respond.isPending}>
        {t('orgs.mine.answerSubmit')}
      </Button>
    </Form>
  );
}
