import { useTranslation } from 'react-i18next';
import { Table, type TableColumn } from './Table';

/** A column of an uploaded file, as an import's dry run describes it. */
export interface MappedColumn {
  index: number;
  header: string;
  /** The column's first value, shortened by the server. */
  sample: string;
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
  /** The file's name, for the caption. */
  fileName: string;
  /**
   * Where the module keeps the table's words: `caption` ({file}), `header`, `sample`, `field`, `ignore`,
   * `unnamed` ({number}) and `fieldFor` ({column}).
   */
  keyPrefix: string;
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
  fileName,
  keyPrefix,
}: ColumnMappingProps<Field>) {
  const { t } = useTranslation();
  const word = (key: string, values?: Record<string, string | number>) => t(`${keyPrefix}.${key}`, values);
  const known = new Set<string>(fields.map((field) => field.value));
  const choose = (index: number, value: string) => {
    const field = known.has(value) ? (value as Field) : null;
    const next = columns.map((column) => mapping[column.index] ?? null);
    onChange(next.map((current, i) => (i === index ? field : current === field ? null : current)));
  };
  const name = (column: MappedColumn) => column.header || word('unnamed', { number: column.index + 1 });
  const tableColumns: TableColumn<MappedColumn>[] = [
    { key: 'header', header: word('header'), isRowHeader: true, cell: name },
    { key: 'sample', header: word('sample'), cell: (column) => column.sample },
    {
      key: 'field',
      header: word('field'),
      cell: (column) => (
        <select
          className="field__input"
          aria-label={word('fieldFor', { column: name(column) })}
          value={mapping[column.index] ?? ''}
          disabled={disabled}
          onChange={(event) => choose(column.index, event.target.value)}
        >
          <option value="">{word('ignore')}</option>
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
      caption={word('caption', { file: fileName })}
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
