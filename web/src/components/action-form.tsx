import type { ComponentChildren } from 'preact';
import type { ApiProblem } from '../api/problem';
import { ProblemNote } from './notes';

/** What `useAction` gives a form: whether it runs, and the problem its last run met. */
interface FormAction {
  busy: boolean;
  problem: ApiProblem | undefined;
}

/**
 * A form that runs one action: the page's fields, then the action's problem in words, then one submit button
 * that says what is happening while it runs and stays disabled until the fields are valid.
 */
export function ActionForm({
  action,
  onSubmit,
  submit,
  busy,
  valid = true,
  class: className,
  children,
}: {
  action: FormAction;
  onSubmit: () => void;
  submit: string;
  busy: string;
  valid?: boolean;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <form
      class={className}
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) onSubmit();
      }}
    >
      {children}
      <ProblemNote problem={action.problem} />
      <button type="submit" disabled={!valid || action.busy}>
        {action.busy ? busy : submit}
      </button>
    </form>
  );
}
