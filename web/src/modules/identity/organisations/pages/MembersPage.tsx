import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../../../api/client';
import {
  Button,
  Form,
  Loading,
  PageHeading,
  Table,
  TextField,
  useToast,
  type TableColumn,
} from '../../../../ui';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { meQueryKey, useMe } from '../../auth/useMe';
import { orgKeys, type Invitation, type Member, type Organisation, type Role } from '../api';
import { ActionDialog } from '../components/ActionDialog';
import { RadioGroupField, SelectField } from '../components/fields';
import { BackToOrganisation } from '../components/BackToOrganisation';
import { EmptyState, LoadError } from '../components/notices';
import { RoleHelp } from '../components/RoleHelp';
import { textOf } from '../form-data';
import { useFormat } from '../format';
import { required, useFormMutation, useInvitations, useMembers, useOrganisation } from '../queries';
import { ROLES, isOneOf } from '../vocabulary';
import '../organisations.css';

/** An organisation's members and pending invitations, for its administrators. */
export function MembersPage() {
  return (
    <RequireSignIn>
      <MembersLoader />
    </RequireSignIn>
  );
}

function MembersLoader() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const organisation = useOrganisation(id);
  return (
    <div className="page">
      <BackToOrganisation id={id} name={organisation.data?.name} />
      <PageHeading>{t('orgs.members.title')}</PageHeading>
      {organisation.isPending ? (
        <Loading />
      ) : organisation.isError ? (
        <LoadError error={organisation.error} onRetry={() => void organisation.refetch()} />
      ) : (
        <MembersView organisation={organisation.data} />
      )}
    </div>
  );
}

type MemberAction =
  { kind: 'changeRole' | 'remove'; member: Member } | { kind: 'revoke'; invitation: Invitation };

function MembersView({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation();
  const format = useFormat();
  const me = useMe();
  const members = useMembers(organisation.id, organisation.abilities.viewMembers);
  const invitations = useInvitations(organisation.id, organisation.abilities.viewMembers);
  const [action, setAction] = useState<MemberAction | null>(null);
  const myId = me.data?.person.id;

  // The organisation's abilities already say whether the lists are for this reader; no need to ask for them.
  if (!organisation.abilities.viewMembers) {
    return (
      <div className="notice notice--error" role="alert">
        <p>{t('orgs.load.notFound')}</p>
      </div>
    );
  }

  const memberColumns: TableColumn<Member>[] = [
    {
      key: 'name',
      header: t('orgs.members.name'),
      isRowHeader: true,
      cell: (member) => (
        <>
          <span className="orgs-cell-title">
            {member.displayName}
            {member.personId === myId && ` ${t('orgs.members.you')}`}
          </span>
          <span className="orgs-cell-sub orgs-break">{member.email}</span>
        </>
      ),
    },
    { key: 'role', header: t('orgs.members.role'), cell: (member) => t(`orgs.roles.${member.role}.name`) },
    { key: 'joined', header: t('orgs.members.joined'), cell: (member) => format.date(member.joinedAt) },
    {
      key: 'actions',
      header: t('orgs.members.actions'),
      cell: (member) =>
        member.abilities.changeRole || member.abilities.remove ? (
          <div className="actions orgs-actions--compact">
            {member.abilities.changeRole && (
              <Button variant="secondary" onClick={() => setAction({ kind: 'changeRole', member })}>
                {t('orgs.members.changeRole')}
                <span className="visually-hidden">{` ${t('orgs.members.forPerson', { name: member.displayName })}`}</span>
              </Button>
            )}
            {member.abilities.remove && (
              <Button variant="danger" onClick={() => setAction({ kind: 'remove', member })}>
                {t('orgs.members.remove')}
                <span className="visually-hidden">{` ${member.displayName}`}</span>
              </Button>
            )}
          </div>
        ) : (
          <span className="muted">{t('orgs.members.noActions')}</span>
        ),
    },
  ];

  const invitationColumns: TableColumn<Invitation>[] = [
    {
      key: 'email',
      header: t('orgs.members.email'),
      isRowHeader: true,
      cell: (invitation) => <span className="orgs-break">{invitation.email}</span>,
    },
    {
      key: 'role',
      header: t('orgs.members.role'),
      cell: (invitation) => t(`orgs.roles.${invitation.role}.name`),
    },
    {
      key: 'invitedBy',
      header: t('orgs.members.invitedBy'),
      cell: (invitation) => invitation.invitedBy ?? t('orgs.members.unknownPerson'),
    },
    {
      key: 'expires',
      header: t('orgs.members.expires'),
      cell: (invitation) => format.date(invitation.expiresAt),
    },
    {
      key: 'actions',
      header: t('orgs.members.actions'),
      cell: (invitation) =>
        invitation.abilities.revoke ? (
          <Button variant="secondary" onClick={() => setAction({ kind: 'revoke', invitation })}>
            {t('orgs.members.revoke')}
            <span className="visually-hidden">{` ${invitation.email}`}</span>
          </Button>
        ) : (
          <span className="muted">{t('orgs.members.noActions')}</span>
        ),
    },
  ];

  return (
    <>
      <p className="orgs-lead">{t('orgs.members.intro', { name: organisation.name })}</p>
      <section aria-labelledby="members-heading" className="orgs-block">
        <h2 id="members-heading">{t('orgs.members.membersHeading')}</h2>
        {members.isPending ? (
          <Loading />
        ) : members.isError ? (
          <LoadError error={members.error} onRetry={() => void members.refetch()} />
        ) : (
          <Table
            caption={t('orgs.members.membersCaption', { count: members.data.length })}
            columns={memberColumns}
            rows={members.data}
            rowKey={(member) => member.id}
          />
        )}
      </section>

      {organisation.abilities.manageMembers && <InviteForm organisation={organisation} />}

      <section aria-labelledby="invitations-heading" className="orgs-block">
        <h2 id="invitations-heading">{t('orgs.members.invitationsHeading')}</h2>
        {invitations.isPending ? (
          <Loading />
        ) : invitations.isError ? (
          <LoadError error={invitations.error} onRetry={() => void invitations.refetch()} />
        ) : invitations.data.length === 0 ? (
          <EmptyState>
            <p>{t('orgs.members.noInvitations')}</p>
          </EmptyState>
        ) : (
          <Table
            caption={t('orgs.members.invitationsCaption', { count: invitations.data.length })}
            columns={invitationColumns}
            rows={invitations.data}
            rowKey={(invitation) => invitation.id}
          />
        )}
      </section>

      <MemberActionDialog
        organisation={organisation}
        action={action}
        isMe={action?.kind !== 'revoke' && action?.member.personId === myId}
        onClose={() => setAction(null)}
      />
    </>
  );
}

function InviteForm({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  // A new key empties the form after an invitation is sent, ready for the next colleague.
  const [formKey, setFormKey] = useState(0);
  const invite = useFormMutation(
    (body: { email: string; role: Role }) =>
      required(
        api.POST('/api/identity/organisations/{id}/invitations', {
          params: { path: { id: organisation.id } },
          body,
        }),
      ),
    {
      fields: ['email', 'role'],
      byCode: { conflict: t('orgs.members.inviteConflict') },
      onSuccess: async (invitation) => {
        toast.show(t('orgs.members.invited', { email: invitation.email }), { tone: 'success' });
        setFormKey((key) => key + 1);
        await queryClient.invalidateQueries({ queryKey: orgKeys.invitations(organisation.id) });
      },
    },
  );

  const onSubmit = (data: FormData) => {
    const email = textOf(data, 'email');
    const role = textOf(data, 'role');
    const errors: Record<string, string> = {};
    if (!email) errors.email = t('orgs.members.emailRequired');
    if (!isOneOf(ROLES, role)) errors.role = t('orgs.members.roleRequired');
    if (Object.keys(errors).length > 0 || !isOneOf(ROLES, role)) invite.setErrors({ fieldErrors: errors });
    else invite.mutate({ email, role });
  };

  return (
    <section aria-labelledby="invite-heading" className="orgs-block orgs-section">
      <h2 id="invite-heading">{t('orgs.members.inviteHeading')}</h2>
      <p>{t('orgs.members.inviteIntro')}</p>
      <Form
        key={formKey}
        errors={invite.errors.fieldErrors}
        formError={invite.errors.formError}
        onSubmit={onSubmit}
      >
        <TextField
          name="email"
          label={t('orgs.members.email')}
          type="email"
          autoComplete="off"
          spellCheck={false}
          required
        />
        <SelectField
          name="role"
          label={t('orgs.members.role')}
          options={ROLES.map((role) => ({ value: role, label: t(`orgs.roles.${role}.name`) }))}
          defaultValue="member"
          required
        />
        <RoleHelp />
        <Button type="submit" busy={invite.isPending}>
          {t('orgs.members.inviteSubmit')}
        </Button>
      </Form>
    </section>
  );
}

function MemberActionDialog({
  organisation,
  action,
  isMe,
  onClose,
}: {
  organisation: Organisation;
  action: MemberAction | null;
  isMe: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const act = useFormMutation(
    async (variables: { action: MemberAction; role?: Role }) => {
      const { action: what } = variables;
      if (what.kind === 'revoke') {
        await unwrap(
          api.DELETE('/api/identity/organisations/{id}/invitations/{invitationId}', {
            params: { path: { id: organisation.id, invitationId: what.invitation.id } },
          }),
        );
      } else if (what.kind === 'remove') {
        await unwrap(
          api.DELETE('/api/identity/memberships/{membershipId}', {
            params: { path: { membershipId: what.member.id } },
          }),
        );
      } else {
        await required(
          api.PATCH('/api/identity/memberships/{membershipId}', {
            params: { path: { membershipId: what.member.id } },
            body: { role: variables.role! },
          }),
        );
      }
    },
    {
      fields: ['role'],
      // A conflict means the last administrator for members, and an invitation already used for invitations.
      byCode: {
        conflict: t(action?.kind === 'revoke' ? 'orgs.members.revokeConflict' : 'orgs.members.lastAdmin'),
      },
      onSuccess: async (_result, { action: what, role }) => {
        onClose();
        const message =
          what.kind === 'revoke'
            ? t('orgs.members.revoked', { email: what.invitation.email })
            : what.kind === 'remove'
              ? t('orgs.members.removed', { name: what.member.displayName })
              : t('orgs.members.roleChanged', {
                  name: what.member.displayName,
                  role: t(`orgs.roles.${role!}.name`),
                });
        toast.show(message, { tone: 'success' });
        if (isMe) {
          // Their own role or membership changed: what they may do here (and the header's links) changed
          // with it, and after leaving, this page is no longer theirs to see.
          await queryClient.invalidateQueries({ queryKey: meQueryKey });
          if (what.kind === 'remove') {
            await navigate('/');
            return;
          }
          await queryClient.invalidateQueries({ queryKey: orgKeys.organisation(organisation.id) });
        }
        await queryClient.invalidateQueries({
          queryKey:
            what.kind === 'revoke' ? orgKeys.invitations(organisation.id) : orgKeys.members(organisation.id),
        });
      },
    },
  );

  const close = () => {
    act.clear();
    onClose();
  };

  const onConfirm = (data: FormData) => {
    if (!action) return;
    if (action.kind === 'changeRole') {
      const role = textOf(data, 'role');
      if (!isOneOf(ROLES, role)) act.setErrors({ fieldErrors: { role: t('orgs.members.roleRequired') } });
      else act.mutate({ action, role });
    } else {
      act.mutate({ action });
    }
  };

  let title = '';
  let body = '';
  let confirm = '';
  if (action?.kind === 'changeRole') {
    title = t('orgs.members.dialog.changeRole.title', { name: action.member.displayName });
    confirm = t('orgs.members.dialog.changeRole.confirm');
  } else if (action?.kind === 'remove') {
    title = t('orgs.members.dialog.remove.title', { name: action.member.displayName });
    body = t(isMe ? 'orgs.members.dialog.remove.bodySelf' : 'orgs.members.dialog.remove.body', {
      name: action.member.displayName,
      organisation: organisation.name,
    });
    confirm = t('orgs.members.dialog.remove.confirm');
  } else if (action?.kind === 'revoke') {
    title = t('orgs.members.dialog.revoke.title');
    body = t('orgs.members.dialog.revoke.body', { email: action.invitation.email });
    confirm = t('orgs.members.dialog.revoke.confirm');
  }

  return (
    <ActionDialog
      open={action !== null}
      onClose={close}
      title={title}
      confirmLabel={confirm}
      variant={action?.kind === 'changeRole' ? 'primary' : 'danger'}
      busy={act.isPending}
      errors={act.errors}
      onConfirm={onConfirm}
    >
      {body && <p>{body}</p>}
      {action?.kind === 'changeRole' && (
        <>
          {isMe && <p className="notice orgs-notice--warning">{t('orgs.members.dialog.changeRole.self')}</p>}
          <RadioGroupField
            name="role"
            legend={t('orgs.members.newRole')}
            options={ROLES.map((role) => ({
              value: role,
              label: t(`orgs.roles.${role}.name`),
              description: t(`orgs.roles.${role}.description`),
            }))}
            defaultValue={action.member.role}
            required
          />
        </>
      )}
    </ActionDialog>
  );
}
