import { useTranslation } from 'react-i18next';
import { Button, useToast } from '../../../../../ui';

/** Copies text to the clipboard and says whether it worked (it needs a secure page and permission). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast.show(t('auth.common.copied'), { tone: 'success' });
    } catch {
      toast.show(t('auth.common.copyFailed'), { tone: 'error' });
    }
  };
  return (
    <Button variant="secondary" onClick={() => void copy()}>
      {label}
    </Button>
  );
}
