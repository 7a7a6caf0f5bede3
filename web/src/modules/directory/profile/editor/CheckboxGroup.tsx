import type { ReactNode } from 'react';
import {
  FieldText,
  RequiredMark,
  fieldClass,
  useFieldFrame,
} from '../../../identity/organisations/components/fields';

/** Props of {@link CheckboxGroup}. */
export interface CheckboxGroupProps<Value extends string> {
  /** The field's name in its Form: its error shows here and the error summary links to the first box. */
  name: string;
  legend: string;
  hint?: string;
  required?: boolean;
  options: readonly { value: Value; label: string }[];
  value: readonly Value[];
  onChange: (value: Value[]) => void;
  /** Shown after the boxes (the field's visibility choice). */
  children?: ReactNode;
}

/**
 * A fieldset of native checkboxes for choosing any number of codes from a short vocabulary. Native boxes
 * work the same in every browser and screen reader; the list flows into columns on wide screens.
 */
export function CheckboxGroup<Value extends string>({
  name,
  legend,
  hint,
  required,
  options,
  value,
  onChange,
  children,
}: CheckboxGroupProps<Value>) {
  const frame = useFieldFrame(name, hint, undefined);
  const chosen = new Set<string>(value);
  // Keeps the vocabulary's order whatever order the boxes were ticked in.
  const toggle = (code: Value) =>
    onChange(options.map((o) => o.value).filter((v) => (v === code ? !chosen.has(v) : chosen.has(v))));
  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group dir-editor__group')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">
        {legend}
        <RequiredMark required={required} />
      </legend>
      <FieldText frame={frame} hint={hint} />
      <ul className="dir-checkboxes">
        {options.map((option, index) => {
          const id = index === 0 ? frame.id : `${frame.id}-${option.value}`;
          return (
            <li key={option.value} className="orgs-choice orgs-choice--compact">
              <input
                type="checkbox"
                id={id}
                checked={chosen.has(option.value)}
                onChange={() => toggle(option.value)}
              />
              <label htmlFor={id}>{option.label}</label>
            </li>
          );
        })}
      </ul>
      {children}
    </fieldset>
  );
}
