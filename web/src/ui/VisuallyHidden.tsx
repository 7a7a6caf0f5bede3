import type { ReactNode } from 'react';

/** Text that screen readers announce but that takes no space on screen. */
export function VisuallyHidden({ children }: { children: ReactNode }) {
  return <span className="visually-hidden">{children}</span>;
}
