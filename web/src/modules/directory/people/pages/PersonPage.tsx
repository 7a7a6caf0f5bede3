import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Button, Form, Loading, PageHeading, useToast } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { TextAreaField } from '../../../identity/organisations/components/fields';
import { LoadError } from '../../../identity/organisations/components/notices';
import { textOf } from '../../../identity/organisations/form-data';
import { useFormat } from '../../../identity/organisations/format';
import { useFormMutation } from '../../../identity/organisations/queries';
import { peopleKeys, sendMessage, usePersonProfile, type PersonProfile } from '../api';
import { expertiseKey, peoplePaths } from '../people';
import { useLanguageList } from './PersonCard';
import { PeopleTabs } from './PeopleTabs';
import '../../../identity/organisations/organisations.css';
import '../../profile/profile.css';
import '../people.css';

/** The longest message the server accepts (server: directory.people.schemas.ts). */
export const MAX_MESSAGE_LENGTH = 2000;

/** One professional's profile, with "Send a message" (through Cairn: no email address is shown). */
export function PersonPage() {
  return (
    <RequireSignIn>
      <PersonLoader />
    </RequireSignIn>
  );
}

function PersonLoader() {
  const { t } = useTranslation();
  const { personId = '' } = useParams();
  const person = usePersonProfile(personId);
  if (person.isPending || person.isError) {
    return (
      <div className="page page--narrow">
        <PageHeading>{t('people.person.title')}</PageHeading>
        <PeopleTabs />
        {person.isPending ? (
          <Loading />
        ) : (
          <LoadError error={person.error} onRetry={() => void person.refetch()} />
        )}
      </div>
    );
  }
  return <PersonView person={person.data} />;
}

function PersonView({ person }: { person: PersonProfile }) {
  const { t } = useTranslation();
  const format = useFormat();
  const languages = useLanguageList();
  return (
    <div className="page page--narrow">
      <PageHeading>{person.name}</PageHeading>
      <PeopleTabs />
      <p className="orgs-lead">
        {person.jobTitle
          ? t('people.roleAt', { role: person.jobTitle, organisation: person.organisation.name })
          : person.organisation.name}
      </p>
      <p className="people-meta">{t('people.updated', { date: format.date(person.updatedAt) })}</p>
      {person.stale && (
        <div className="notice orgs-notice--warning" role="note">
          <p>{t(person.abilities.edit ? 'people.person.staleOwn' : 'people.person.stale')}</p>
        </div>
      )}
      {person.abilities.edit && (
        <div className="notice" role="note">
          <p>{t(person.published ? 'people.person.ownPublished' : 'people.person.ownHidden')}</p>
          <p>
            <Link to={peoplePaths.myProfile}>{t('people.person.edit')}</Link>
          </p>
        </div>
      )}

      {person.bio && (
        <section className="dir-profile__section" aria-labelledby="person-about">
          <h2 id="person-about">{t('people.fields.bio')}</h2>
          <p className="orgs-pre-line">{person.bio}</p>
        </section>
      )}
      <section className="dir-profile__section" aria-labelledby="person-expertise">
        <h2 id="person-expertise">{t('people.fields.expertise')}</h2>
        {person.expertise.length === 0 ? (
          <p className="people-meta">{t('people.person.noExpertise')}</p>
        ) : (
          <ul className="dir-tags">
            {person.expertise.map((code) => (
              <li key={code} className="dir-tag">
                {t(expertiseKey(code))}
              </li>
            ))}
          </ul>
        )}
        <dl className="people-facts">
          <div>
            <dt>{t('people.fields.organisation')}</dt>
            <dd>{person.organisation.name}</dd>
          </div>
          <div>
            <dt>{t('people.fields.languages')}</dt>
            <dd>{person.languages.length ? languages(person.languages) : t('people.person.notSaid')}</dd>
          </div>
          <div>
            <dt>{t('people.fields.countries')}</dt>
            <dd>
              {person.countries.length ? format.countries(person.countries) : t('people.person.notSaid')}
            </dd>
          </div>
        </dl>
      </section>

      {person.abilities.contact && <MessageForm person={person} />}
    </div>
  );
}

/** "Send a message": the text stays in Cairn; the recipient is told by email that someone wrote. */
export function MessageForm({
  person,
  heading = 'h2',
  onSent,
  send: deliver = (body) => sendMessage(person.personId, body),
  note,
}: {
  person: { personId: string; name: string };
  heading?: 'h2' | 'h3' | 'h4';
  onSent?: () => void;
  /** How the message is sent (default: to a listed person); another module may reach someone for its reason. */
  send?: (body: string) => Promise<unknown>;
  /** What the writer should keep in mind, shown under the privacy note. */
  note?: string;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  // The key re-mounts the form after a send, which empties the text box.
  const [round, setRound] = useState(0);
  const send = useFormMutation(deliver, {
    fields: ['body'],
    onSuccess: async () => {
      setRound((n) => n + 1);
      toast.show(t('people.message.sent', { name: person.name }), { tone: 'success' });
      await queryClient.invalidateQueries({ queryKey: peopleKeys.messages });
      onSent?.();
    },
  });
  const Heading = heading;
  const headingId = `message-${person.personId}`;
  const onSubmit = (data: FormData) => {
    const body = textOf(data, 'body');
    if (body === '') {
      send.setErrors({ fieldErrors: { body: t('people.message.empty') } });
      return;
    }
    send.mutate(body);
  };
  return (
    <section className="dir-profile__section people-message-form" aria-labelledby={headingId}>
      <Heading id={headingId}>{t('people.message.title', { name: person.name })}</Heading>
      <p>{t('people.message.privacy', { name: person.name })}</p>
      {note && <p className="notice">{note}</p>}
      <Form
        key={round}
        errors={send.errors.fieldErrors}
        formError={send.errors.formError}
        onSubmit={onSubmit}
        aria-labelledby={headingId}
      >
        <TextAreaField
          name="body"
          label={t('people.message.label')}
          hint={t('people.message.hint', { max: MAX_MESSAGE_LENGTH })}
          maxLength={MAX_MESSAGE_LENGTH}
          rows={6}
          required
        />
        <div className="actions">
          <Button type="submit" busy={send.isPending}>
            {t('people.message.send')}
          </Button>
          <Link to={peoplePaths.sent}>{t('people.message.seeSent')}</Link>
        </div>
      </Form>
    </section>
  );
}
