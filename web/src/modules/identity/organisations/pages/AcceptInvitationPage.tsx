import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../../../api/client';
import type { components } from '../../../../api/schema';
import { Button, Form, Loading, PageHeading, TextField } from '../../../../ui';
import { meQueryKey, useMe, type Me } from '../../auth/useMe';
import { passwordOf, textOf } from '../form-data';
import { authPaths, tokenFromHash } from '../../auth/navigation';
import { removeHashFromAddress } from '../invitation-token';
import { required, useFormMutation } from '../queries';
import '../organisations.css';

type Accepted = components['schemas']['AcceptedInvitation'];

/** Accepting an invitation from its emailed link: join with the signed-in account, or create one. */
export function AcceptInvitationPage() {
  const { t } = useTranslation();
  // SECURITY: the token is read once from the fragment and then kept only in memory (never in storage);
  // the effect below takes it out of the address bar and history straight away.
  const [token] = useState(() => tokenFromHash(window.location.hash));
  useEffect(() => removeHashFromAddress(window.location, window.history), []);
  const me = useMe();
  const [accepted, setAccepted] = useState<Accepted | null>(null);

  let content;
  if (accepted) content = <Joined accepted={accepted} />;
  else if (!token) content = <p className="notice notice--error">{t('orgs.accept.noToken')}</p>;
  else if (me.isPending) content = <Loading />;
  else if (me.data?.level === 'full')
    content = <JoinWithAccount token={token} me={me.data} onAccepted={setAccepted} />;
  else if (me.data?.level === 'partial')
    content = (
      <div className="notice">
        <p>{t('orgs.accept.finishSignIn')}</p>
        <p>
          <Link to={authPaths.signIn}>{t('orgs.load.signInLink')}</Link>
        </p>
      </div>
    );
  else content = <CreateAccount token={token} onAccepted={setAccepted} />;

  return (
    <div className="page page--narrow">
      <PageHeading>{t('orgs.accept.title')}</PageHeading>
      {content}
    </div>
  );
}

/** The answers to a refused acceptance, worded for someone holding an invitation link. */
function useAcceptErrors() {
  const { t } = useTranslation();
  return {
    not_found: t('orgs.accept.errors.invalid'),
    unauthenticated: t('orgs.accept.errors.accountExists'),
    forbidden: t('orgs.accept.errors.otherAccount'),
    conflict: t('orgs.accept.errors.alreadyMember'),
  };
}

function JoinWithAccount({
  token,
  me,
  onAccepted,
}: {
  token: string;
  me: Me;
  onAccepted: (a: Accepted) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const accept = useFormMutation(
    () => required(api.POST('/api/identity/invitations/accept', { body: { token } })),
    {
      byCode: useAcceptErrors(),
      onSuccess: async (result) => {
        onAccepted(result);
        // The person now belongs to one more organisation (and may act for it): the header must know.
        await queryClient.invalidateQueries({ queryKey: meQueryKey });
      },
    },
  );
  return (
    <Form
      errors={accept.errors.fieldErrors}
      formError={accept.errors.formError}
      onSubmit={() => accept.mutate(undefined)}
    >
      <p>{t('orgs.accept.signedInAs', { name: me.person.displayName, email: me.person.email })}</p>
      <p className="muted">{t('orgs.accept.notYou')}</p>
      <Button type="submit" busy={accept.isPending}>
        {t('orgs.accept.join')}
      </Button>
    </Form>
  );
}

function CreateAccount({ token, onAccepted }: { token: string; onAccepted: (a: Accepted) => void }) {
  const { t } = useTranslation();
  const accept = useFormMutation(
    (body: { displayName: string; password: string }) =>
      required(api.POST('/api/identity/invitations/accept', { body: { token, ...body } })),
    {
      fields: ['displayName', 'password'],
      byCode: useAcceptErrors(),
      onSuccess: (result) => onAccepted(result),
    },
  );
  const onSubmit = (data: FormData) => {
    const displayName = textOf(data, 'displayName');
    const password = passwordOf(data, 'password');
    const errors: Record<string, string> = {};
    if (!displayName) errors.displayName = t('orgs.accept.errors.displayName');
    if (!password) errors.password = t('orgs.accept.errors.password');
    if (Object.keys(errors).length > 0) accept.setErrors({ fieldErrors: errors });
    else accept.mutate({ displayName, password });
  };
  return (
    <>
      <p>{t('orgs.accept.createIntro')}</p>
      <Form errors={accept.errors.fieldErrors} formError={accept.errors.formError} onSubmit={onSubmit}>
        <TextField
          name="displayName"
          label={t('orgs.accept.displayName')}
          autoComplete="name"
          maxLength={100}
          required
        />
        <TextField
          name="password"
          label={t('orgs.accept.password')}
          hint={t('orgs.apply.passwordHint')}
          type="password"
          autoComplete="new-password"
          required
        />
        <Button type="submit" busy={accept.isPending}>
          {t('orgs.accept.create')}
        </Button>
      </Form>
      <p className="orgs-aside">{t('orgs.accept.haveAccount')}</p>
    </>
  );
}

function Joined({ accepted }: { accepted: Accepted }) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  // The form has gone; move the reader to what replaced it.
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="orgs-panel orgs-panel--success">
      <h2 ref={heading} tabIndex={-1}>
        {t('orgs.accept.joinedTitle', { organisation: accepted.organisation.name })}
      </h2>
      {accepted.accountCreated ? (
        <>
          <p>{t('orgs.accept.accountReady')}</p>
          <p>
            <Link to={authPaths.signIn} className="button button--primary">
              {t('orgs.accept.signIn')}
            </Link>
          </p>
        </>
      ) : (
        <p>
          <Link to={`/organisations/${accepted.organisation.id}`} className="button button--primary">
            {t('orgs.accept.open', { organisation: accepted.organisation.name })}
          </Link>
        </p>
      )}
    </div>
  );
}
