import type { ComponentChildren } from 'preact';

/** The page's one h1: focusable from script so navigation can move a screen reader to it. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}
