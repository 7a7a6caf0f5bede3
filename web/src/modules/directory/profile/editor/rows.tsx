import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, VisuallyHidden } from '../../../../ui';
import { FieldText, fieldClass, useFieldFrame } from '../../../identity/organisations/components/fields';

/**
 * A repeated group of the editor (offices, hotlines, contacts…): a fieldset holding one fieldset per row,
 * each with a remove button, and an add button. Errors about the whole list show at its top; the error
 * summary links to the add button, which is always there to take focus.
 */
export function RowList<Row extends { key: string }>({
  name,
  legend,
  hint,
  rows,
  rowLegend,
  addLabel,
  onAdd,
  onRemove,
  renderRow,
  max,
  children,
}: {
  name: string;
  legend: string;
  hint?: string;
  rows: readonly Row[];
  /** The legend of one row, e.g. "Office 2". */
  rowLegend: (index: number) => string;
  addLabel: string;
  onAdd: () => void;
  onRemove: (key: string) => void;
  renderRow: (row: Row, index: number) => ReactNode;
  /** The most rows the server accepts; the add button goes away at that number. */
  max: number;
  /** Shown after the rows (the list's visibility choice). */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const frame = useFieldFrame(name, hint, undefined);
  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group dir-editor__group')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">{legend}</legend>
      <FieldText frame={frame} hint={hint} />
      {rows.length > 0 && (
        <ol className="dir-rows">
          {rows.map((row, index) => (
            <li key={row.key} className="dir-row">
              <fieldset className="orgs-group">
                <legend className="dir-row__legend">{rowLegend(index)}</legend>
                {renderRow(row, index)}
                <Button variant="quiet" onClick={() => onRemove(row.key)}>
                  {t('directory.editor.remove')}
                  <VisuallyHidden>{` ${rowLegend(index)}`}</VisuallyHidden>
                </Button>
              </fieldset>
            </li>
          ))}
        </ol>
      )}
      {rows.length < max && (
        <Button id={frame.id} variant="secondary" onClick={onAdd}>
          {addLabel}
        </Button>
      )}
      {children}
    </fieldset>
  );
}

/** A single checkbox with a label and a sentence explaining what ticking it does. */
export function CheckboxField({
  name,
  label,
  description,
  checked,
  onChange,
}: {
  name: string;
  label: string;
  description: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const frame = useFieldFrame(name, description, undefined);
  return (
    <div className={fieldClass(frame.message, 'orgs-choice dir-editor__checkbox')}>
      <input
        type="checkbox"
        id={frame.id}
        name={name}
        checked={checked}
        aria-describedby={frame.describedBy}
        aria-invalid={frame.message ? true : undefined}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div className="orgs-choice__text">
        <label htmlFor={frame.id}>{label}</label>
        <FieldText frame={frame} hint={description} />
      </div>
    </div>
  );
}
