import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useBlocker } from 'react-router';
import { Button, Dialog } from '../../ui';

/**
 * Asks before leaving a form with unsaved changes: in-app links go through a dialog, and closing or
 * reloading the tab gets the browser's own warning. `dirty` is read when the reader tries to leave, so a
 * save that navigates on success is never held back.
 *
 * SECURITY: this is the only protection unsaved work gets. The form is deliberately NOT kept in
 * localStorage, sessionStorage or IndexedDB: a case holds names, documents and a survivor's account, and
 * browser storage outlives the page — on a shared or seized phone, in the next person's session, in device
 * backups — where Cairn can neither encrypt it with the organisation's key nor wipe it at sign-out.
 */
export function useLeaveGuard(dirty: boolean) {
  const { t } = useTranslation();
  const dirtyRef = useRef(dirty);
  // Set once a save has made leaving safe; it outlasts any re-render until the page goes.
  const releasedRef = useRef(false);
  useEffect(() => {
    dirtyRef.current = dirty;
  }, [dirty]);

  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      !releasedRef.current && dirtyRef.current && currentLocation.pathname !== nextLocation.pathname,
  );

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      if (releasedRef.current) return;
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set; they ignore the text.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  /** Lets the next navigation through (after a save that leaves the page). */
  const release = () => {
    releasedRef.current = true;
  };

  const dialog = (
    <Dialog
      open={blocker.state === 'blocked'}
      onClose={() => blocker.state === 'blocked' && blocker.reset()}
      title={t('cases.leave.title')}
      footer={
        <>
          <Button variant="secondary" onClick={() => blocker.state === 'blocked' && blocker.reset()}>
            {t('cases.leave.stay')}
          </Button>
          <Button variant="danger" onClick={() => blocker.state === 'blocked' && blocker.proceed()}>
            {t('cases.leave.leave')}
          </Button>
        </>
      }
    >
      <p>{t('cases.leave.body')}</p>
    </Dialog>
  );
  return { dialog, release };
}
