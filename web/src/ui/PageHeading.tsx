import { createContext, useContext, useEffect, useRef } from 'react';

/** What the application frame tells page headings. */
export interface PageHeadingSettings {
  /** True once the reader has navigated within the app, so the new page's heading should take focus. */
  focusOnMount: boolean;
  /** Builds the document title from the heading text. */
  formatTitle: (heading: string) => string;
}

/** Provided by the application frame; the defaults suit a page rendered on its own. */
export const PageHeadingContext = createContext<PageHeadingSettings>({
  focusOnMount: false,
  formatTitle: (heading) => heading,
});

/**
 * The one h1 of a page. It names the document and, after a client-side navigation, receives focus so that
 * screen readers announce the new page and keyboard users start from its top.
 */
export function PageHeading({ children }: { children: string }) {
  const { focusOnMount, formatTitle } = useContext(PageHeadingContext);
  const ref = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (focusOnMount) ref.current?.focus();
  }, [focusOnMount]);

  useEffect(() => {
    document.title = formatTitle(children);
  }, [children, formatTitle]);

  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
