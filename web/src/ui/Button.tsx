import type { ComponentPropsWithRef, MouseEvent } from 'react';
import { Spinner } from './Spinner';

/** How prominent a button is; `danger` is for actions that destroy or cannot be undone. */
export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'quiet';

/** Props of {@link Button}: a native button's, plus a variant and a busy state. */
export interface ButtonProps extends ComponentPropsWithRef<'button'> {
  variant?: ButtonVariant;
  /** Shows a spinner and ignores clicks while the action it started is running. */
  busy?: boolean;
}

/** A native button with Cairn's styles; `type` defaults to "button" so it never submits a form by accident. */
export function Button({
  variant = 'primary',
  busy = false,
  type = 'button',
  className,
  onClick,
  children,
  ...rest
}: ButtonProps) {
  const classes = ['button', `button--${variant}`, className].filter(Boolean).join(' ');
  // A busy button stays focusable (unlike `disabled`), so keyboard users do not lose their place.
  const handleClick = (event: MouseEvent<HTMLButtonElement>) => {
    if (busy) {
      event.preventDefault();
      return;
    }
    onClick?.(event);
  };
  return (
    <button type={type} className={classes} aria-disabled={busy || undefined} onClick={handleClick} {...rest}>
      {busy && <Spinner />}
      {children}
    </button>
  );
}
