/**
 * A table for the terminal: a header row, then the rows, each column as wide as its widest cell,
 * two spaces between columns, trailing blanks trimmed. Every table a command prints has a header.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: {
    /** Columns of figures, aligned right. */
    right?: ReadonlySet<number>;
    /** Wraps a padded cell (colour), by column and row index (-1: the header). */
    decorate?: (padded: string, column: number, row: number) => string;
  } = {},
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[], row: number) =>
    cells
      .map((cell, i) => {
        const padded = options.right?.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
        return options.decorate ? options.decorate(padded, i, row) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, -1), ...rows.map((cells, i) => line(cells, i))];
}
