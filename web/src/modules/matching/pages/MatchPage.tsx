import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Button, Loading, useToast } from '../../../ui';
import { LoadError } from '../../identity/organisations/components/notices';
import { messageOf } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import { MessageForm } from '../../directory/people/pages/PersonPage';
import { SubjectThread } from '../../referrals/Thread';
import {
  useActOnMatch,
  useMatch,
  useMatchFocalPoint,
  writeToFocalPoint,
  type Match,
  type MatchAction,
} from '../api';
import { MatchStatusBadge, MatchingFrame, SubjectTitle } from '../components';
import { matchingPaths } from '../paths';

/** One match: what it reveals and what it does not, and what this side may do next. */
export function MatchPage() {
  const { t } = useTranslation();
  const { matchId = '' } = useParams();
  return (
    <MatchingFrame title={t('matching.match.title')} audience={['screener']}>
      {() => <MatchDetails id={matchId} />}
    </MatchingFrame>
  );
}

function MatchDetails({ id }: { id: string }) {
  const match = useMatch(id);
  if (match.isPending) return <Loading />;
  if (match.isError) return <LoadError error={match.error} onRetry={() => void match.refetch()} />;
  return <MatchView match={match.data} />;
}

const ACTIONS: { action: MatchAction; variant: 'primary' | 'secondary' | 'danger' }[] = [
  { action: 'agree', variant: 'primary' },
  { action: 'resolve', variant: 'primary' },
  { action: 'dismiss', variant: 'secondary' },
];

function MatchView({ match }: { match: Match }) {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const act = useActOnMatch(match.id);
  const waiting = match.status === 'new' && match.agreedByUs && !match.agreedByThem;
  const allowed = ACTIONS.filter(({ action }) => match.abilities[action]);

  const run = (action: MatchAction) => {
    if (action === 'dismiss' && !window.confirm(t('matching.match.confirmDismiss'))) return;
    act.mutate(action, {
      onSuccess: () => toast.show(t(`matching.match.done.${action}`), { tone: 'success' }),
      onError: (error) => toast.show(messageOf(error, t), { tone: 'error' }),
    });
  };

  return (
    <>
      <p>
        <Link to={matchingPaths.inbox}>{t('matching.match.back')}</Link>
      </p>
      <dl className="matching-details">
        <dt>{t('matching.inbox.type')}</dt>
        <dd>{t(`matching.matchTypes.${match.matchType}`)}</dd>
        <dt>{t('matching.inbox.organisation')}</dt>
        <dd>
          <Link to={matchingPaths.organisation(match.otherOrganisation.id)}>
            {match.otherOrganisation.name}
          </Link>
        </dd>
        <dt>{t('matching.inbox.subject')}</dt>
        <dd>
          {t(`matching.subjectKinds.${match.subject.kind}`)}: <SubjectTitle subject={match.subject} />
        </dd>
        <dt>{t('matching.inbox.date')}</dt>
        <dd>{format.dateTime(match.createdAt)}</dd>
        <dt>{t('matching.inbox.status')}</dt>
        <dd>
          <MatchStatusBadge status={match.status} />
        </dd>
      </dl>

      <section className="notice" aria-labelledby="match-revealed">
        <h2 id="match-revealed">{t('matching.match.revealedTitle')}</h2>
        <p>
          {t('matching.match.revealed', {
            organisation: match.otherOrganisation.name,
            type: t(`matching.matchTypes.${match.matchType}`),
          })}
        </p>
        <p>{t('matching.match.notRevealed')}</p>
      </section>

      {match.status === 'new' && <FocalPointSection match={match} />}

      <div role="status" className="matching-state">
        {waiting && <p className="notice">{t('matching.match.waiting')}</p>}
        {match.status === 'new' && !match.agreedByUs && match.agreedByThem && (
          <p className="notice">{t('matching.match.theyAgreed')}</p>
        )}
        {match.status === 'in_contact' && (
          <p className="notice">
            {t('matching.match.inContact', { organisation: match.otherOrganisation.name })}
          </p>
        )}
      </div>

      {allowed.length > 0 && (
        <div className="actions">
          {allowed.map(({ action, variant }) => (
            <Button
              key={action}
              variant={variant}
              busy={act.isPending && act.variables === action}
              onClick={() => run(action)}
            >
              {t(`matching.match.actions.${action}`)}
            </Button>
          ))}
        </div>
      )}
      {allowed.length > 0 && <p className="field__hint">{t('matching.match.actionsHint')}</p>}
      {/* The server opens the thread to both sides only once both were put in contact (both agreed), and takes
          messages while in contact; a side is in contact or resolved only after that. */}
      {(match.status === 'in_contact' || match.status === 'resolved') && (
        <SubjectThread subjectKind="match" subjectId={match.id} open={match.status === 'in_contact'} />
      )}
    </>
  );
}

/**
 * Before both sides agreed: the other organisation's matching focal point, to write to through Cairn (neither
 * side's email address is shown). After that the thread below carries the conversation.
 */
function FocalPointSection({ match }: { match: Match }) {
  const { t } = useTranslation();
  const focal = useMatchFocalPoint(match.id);
  const organisation = match.otherOrganisation.name;
  return (
    <section aria-labelledby="match-focal">
      <h2 id="match-focal">{t('matching.match.focalTitle')}</h2>
      {focal.isPending ? (
        <Loading />
      ) : focal.isError ? (
        <LoadError error={focal.error} onRetry={() => void focal.refetch()} />
      ) : focal.data.focalPoint === null ? (
        <p>{t('matching.match.focalNone', { organisation })}</p>
      ) : (
        <>
          <p>{t('matching.match.focalLead', { organisation, name: focal.data.focalPoint.name })}</p>
          <MessageForm
            person={focal.data.focalPoint}
            heading="h3"
            send={(body) => writeToFocalPoint(match.id, body)}
            note={t('matching.match.focalNote')}
          />
        </>
      )}
    </section>
  );
}
