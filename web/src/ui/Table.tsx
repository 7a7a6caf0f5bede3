import { useId, type ReactNode } from 'react';

/** One column of a {@link Table}. */
export interface TableColumn<Row> {
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Marks the cells that name their row (a `th scope="row"`), which screen readers read with each cell. */
  isRowHeader?: boolean;
  /** Numbers read best aligned to the end. */
  align?: 'start' | 'end';
}

/** Props of {@link Table}. */
export interface TableProps<Row> {
  /** Every table says what it holds; it also names the scrollable region around it. */
  caption: ReactNode;
  columns: readonly TableColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
}

/**
 * A data table with a caption and header cells. It scrolls sideways inside a focusable region on narrow
 * screens instead of breaking the page layout at 320px.
 */
export function Table<Row>({ caption, columns, rows, rowKey }: TableProps<Row>) {
  const captionId = useId();
  return (
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="table">
        <caption id={captionId}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={column.align === 'end' ? 'align-end' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => {
                const className = column.align === 'end' ? 'align-end' : undefined;
                return column.isRowHeader ? (
                  <th key={column.key} scope="row" className={className}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.key} className={className}>
                    {column.cell(row)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
