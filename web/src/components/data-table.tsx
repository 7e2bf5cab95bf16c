import type { ComponentChildren, JSX } from 'preact';

export interface Column<Row> {
  header: string;
  /** Right-aligned figures. */
  numeric?: boolean;
  /** A header only screen readers hear (a column of buttons needs no visible title). */
  hiddenHeader?: boolean;
  cell: (row: Row) => ComponentChildren;
}

/** One table shape for every list of rows: a caption for screen readers, column headers, a row per item. */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  rowAttributes,
  footer,
  class: className,
  ...table
}: {
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  /** e.g. a `data-` attribute tests and styles select rows by */
  rowAttributes?: (row: Row) => Record<`data-${string}`, string>;
  footer?: ComponentChildren;
  class?: string;
} & Omit<JSX.HTMLAttributes<HTMLTableElement>, 'class'>) {
  return (
    <table class={className ? `table ${className}` : 'table'} {...table}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" class={column.numeric ? 'number' : undefined} key={column.header}>
              {column.hiddenHeader ? <span class="visually-hidden">{column.header}</span> : column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowAttributes?.(row)}>
            {columns.map((column) => (
              <td class={column.numeric ? 'number' : undefined} key={column.header}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
      {footer && <tfoot>{footer}</tfoot>}
    </table>
  );
}
