import { Table, type TableColumn } from './Table';

/** A column of an uploaded file, as an import's dry run describes it. */
export interface MappedColumn {
  index: number;
  header: string;
  /** The column's first value, shortened by the server. */
  sample: string;
}

/** The words of a {@link ColumnMapping}, already in the reader's language. */
export interface ColumnMappingLabels {
  caption: string;
  column: string;
  sample: string;
  field: string;
  /** The choice that leaves a column out. */
  ignore: string;
  /** A column without a header, by its number (1 = the first). */
  unnamed: (number: number) => string;
  /** The accessible name of the choice for one column. */
  fieldFor: (column: string) => string;
}

/** Props of {@link ColumnMapping}. */
export interface ColumnMappingProps<Field extends string> {
  columns: readonly MappedColumn[];
  /** The fields a column can fill, each with its label. */
  fields: readonly { value: Field; label: string }[];
  /** The field each column fills, by the column's index (null = ignored). */
  mapping: readonly (Field | null)[];
  disabled: boolean;
  onChange: (mapping: (Field | null)[]) => void;
  labels: ColumnMappingLabels;
}

/**
 * The columns an import found in a file, each with a choice of the field it fills. One field fills one
 * column: choosing it for a column frees it from the column that had it.
 */
export function ColumnMapping<Field extends string>({
  columns,
  fields,
  mapping,
  disabled,
  onChange,
  labels,
}: ColumnMappingProps<Field>) {
  const known = new Set<string>(fields.map((field) => field.value));
  const choose = (index: number, value: string) => {
    const field = known.has(value) ? (value as Field) : null;
    const next = columns.map((column) => mapping[column.index] ?? null);
    onChange(next.map((current, i) => (i === index ? field : current === field ? null : current)));
  };
  const name = (column: MappedColumn) => column.header || labels.unnamed(column.index + 1);
  const tableColumns: TableColumn<MappedColumn>[] = [
    { key: 'header', header: labels.column, isRowHeader: true, cell: name },
    { key: 'sample', header: labels.sample, cell: (column) => column.sample },
    {
      key: 'field',
      header: labels.field,
      cell: (column) => (
        <select
          className="field__input"
          aria-label={labels.fieldFor(name(column))}
          value={mapping[column.index] ?? ''}
          disabled={disabled}
          onChange={(event) => choose(column.index, event.target.value)}
        >
          <option value="">{labels.ignore}</option>
          {fields.map((field) => (
            <option key={field.value} value={field.value}>
              {field.label}
            </option>
          ))}
        </select>
      ),
    },
  ];
  return (
    <Table
      caption={labels.caption}
      columns={tableColumns}
      rows={columns}
      rowKey={(column) => String(column.index)}
    />
  );
}

/** A mapping as an import's query parameter: one field per column, comma-separated, empty for an ignored one. */
export function mappingParam(fields: readonly (string | null)[]): string {
  return fields.map((field) => field ?? '').join(',');
}
