/** Writes a table (rows of plain records) as CSV through csv-stringify, synchronously (tables are small). */
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

export function writeCsvTable(file: string, rows: ReadonlyArray<Record<string, number | string>>): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  writeFileSync(file, stringify(rows.map((r) => columns.map((c) => r[c] ?? '')), { header: true, columns }));
}
