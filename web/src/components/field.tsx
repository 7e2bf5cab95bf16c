import { wholeNumberIn } from '../domain/format';
import type { JSX } from 'preact';

/** A labelled input with its hint and error tied to it for screen readers. */
export function Field({
  id,
  label,
  hint,
  error,
  onValue,
  ...input
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  /** Called with the text on every keystroke, so a page passes its state setter. */
  onValue?: (value: string) => void;
} & JSX.InputHTMLAttributes<HTMLInputElement>) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={id}
        name={id}
        aria-describedby={described}
        aria-invalid={error ? 'true' : undefined}
        onInput={onValue && ((event) => onValue(event.currentTarget.value))}
        {...input}
      />
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A field for a whole number in [min, max], saying so when what was typed is not one. */
export function WholeNumberField({
  min,
  max,
  value,
  ...field
}: {
  id: string;
  label: string;
  min: number;
  max: number;
  value: string;
  onValue: (value: string) => void;
}) {
  const wrong = value !== '' && wholeNumberIn(value, min, max) === undefined;
  return (
    <Field
      type="number"
      inputMode="numeric"
      step={1}
      min={min}
      max={max}
      value={value}
      error={wrong ? `A whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}.` : undefined}
      {...field}
    />
  );
}
