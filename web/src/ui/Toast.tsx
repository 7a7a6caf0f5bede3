import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useTranslation } from 'react-i18next';
import { VisuallyHidden } from './VisuallyHidden';

/** The kind of news a toast brings; errors are announced at once and stay until dismissed. */
export type ToastTone = 'info' | 'success' | 'error';

/** Options for {@link ToastApi.show}. */
export interface ToastOptions {
  tone?: ToastTone;
  /** How long the toast stays; errors default to staying until dismissed. */
  durationMs?: number;
}

/** Shows short, non-blocking messages. */
export interface ToastApi {
  show: (message: string, options?: ToastOptions) => void;
}

interface ToastItem {
  id: number;
  message: string;
  tone: ToastTone;
}

const ToastContext = createContext<ToastApi | null>(null);

const DEFAULT_DURATION_MS = 8000;

/** The toast API of the nearest {@link ToastProvider}. */
export function useToast(): ToastApi {
  const toast = useContext(ToastContext);
  if (!toast) throw new Error('useToast must be used inside a ToastProvider');
  return toast;
}

/**
 * Holds the toasts and the live regions that announce them. The regions are always in the page, because
 * screen readers only announce changes to a live region that already existed.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(0);
  const timers = useRef(new Map<number, number>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer !== undefined) window.clearTimeout(timer);
    timers.current.delete(id);
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const show = useCallback(
    (message: string, { tone = 'info', durationMs }: ToastOptions = {}) => {
      nextId.current += 1;
      const id = nextId.current;
      setToasts((current) => [...current, { id, message, tone }]);
      const duration = durationMs ?? (tone === 'error' ? undefined : DEFAULT_DURATION_MS);
      if (duration !== undefined)
        timers.current.set(
          id,
          window.setTimeout(() => dismiss(id), duration),
        );
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) window.clearTimeout(timer);
      pending.clear();
    };
  }, []);

  const api = useMemo(() => ({ show }), [show]);

  const render = (toast: ToastItem) => (
    <div key={toast.id} className={`toast toast--${toast.tone}`}>
      <p className="toast__message">{toast.message}</p>
      <button type="button" className="toast__dismiss" onClick={() => dismiss(toast.id)}>
        <span aria-hidden="true">×</span>
        <VisuallyHidden>{t('ui.dismiss')}</VisuallyHidden>
      </button>
    </div>
  );

  return (
    <ToastContext value={api}>
      {children}
      <div className="toast-stack">
        <div role="status" aria-live="polite">
          {toasts.filter((toast) => toast.tone !== 'error').map(render)}
        </div>
        <div role="alert" aria-live="assertive">
          {toasts.filter((toast) => toast.tone === 'error').map(render)}
        </div>
      </div>
    </ToastContext>
  );
}
