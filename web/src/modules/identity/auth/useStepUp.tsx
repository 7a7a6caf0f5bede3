import { useCallback, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog } from '../../../ui';
import { actionErrorsOf, hasProblemCode } from './formErrors';
import { stepUp } from './passkeyApi';

/** Thrown by {@link StepUp.guard} when the person closes the confirmation instead of using their passkey. */
export class StepUpCancelledError extends Error {
  override readonly name = 'StepUpCancelledError';

  constructor() {
    super('step-up cancelled');
  }
}

/** What {@link useStepUp} gives a page. */
export interface StepUp {
  /**
   * Runs a sensitive action. If the server answers `step_up_required`, asks the person to confirm with their
   * passkey, then runs the action once more. Rejects with {@link StepUpCancelledError} if they decline, and
   * with the action's own error otherwise.
   */
  guard: <T>(action: () => Promise<T>) => Promise<T>;
  /** The confirmation dialog; render it once anywhere in the page. */
  dialog: ReactNode;
}

/**
 * Runs an action; if the server answers `step_up_required`, waits for `confirm` (the person's passkey check)
 * and runs it once more. A second refusal is not retried again: it is returned to the caller as is.
 */
export async function runWithStepUp<T>(action: () => Promise<T>, confirm: () => Promise<void>): Promise<T> {
  try {
    return await action();
  } catch (failure) {
    if (!hasProblemCode(failure, 'step_up_required')) throw failure;
    await confirm();
    return action();
  }
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * A fresh passkey check before a sensitive action (removing a factor, revealing identifying fields,
 * exporting). The server decides when one is needed and for how long it lasts: the page just tries the
 * action, and this asks for the passkey only when the server says so. Asking inside a dialog, behind a
 * button, also gives the browser the user gesture some of them require before showing a passkey prompt.
 */
export function useStepUp(): StepUp {
  const { t } = useTranslation();
  const pending = useRef<Pending | null>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const settle = useCallback((outcome: 'passed' | 'cancelled') => {
    const current = pending.current;
    pending.current = null;
    setOpen(false);
    if (!current) return;
    if (outcome === 'passed') current.resolve();
    else current.reject(new StepUpCancelledError());
  }, []);

  const confirm = useCallback(
    () =>
      new Promise<void>((resolve, reject) => {
        // A second request while one is open replaces it; the first caller learns it was not confirmed.
        pending.current?.reject(new StepUpCancelledError());
        pending.current = { resolve, reject };
        setError(undefined);
        setOpen(true);
      }),
    [],
  );

  const guard = useCallback(<T,>(action: () => Promise<T>) => runWithStepUp(action, confirm), [confirm]);

  const confirmWithPasskey = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await stepUp();
      settle('passed');
    } catch (failure) {
      setError(actionErrorsOf(failure, [], t).formError);
    } finally {
      setBusy(false);
    }
  };

  const dialog = (
    <Dialog
      open={open}
      // Escape, the close button and Cancel all mean "not now"; after a pass, `pending` is already empty.
      onClose={() => settle('cancelled')}
      title={t('auth.stepUp.title')}
      footer={
        <>
          <Button busy={busy} onClick={() => void confirmWithPasskey()}>
            {t('auth.stepUp.usePasskey')}
          </Button>
          <Button variant="secondary" onClick={() => settle('cancelled')}>
            {t('auth.stepUp.cancel')}
          </Button>
        </>
      }
    >
      <p>{t('auth.stepUp.body')}</p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );

  return { guard, dialog };
}
