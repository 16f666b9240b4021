/** The largest CSV the dialog sends; the server checks its own limit as well. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** Why a chosen file cannot be imported, or null when it can be sent. */
export function importFileProblem(file: Pick<File, 'name' | 'size' | 'type'>): string | null {
  const csvType = file.type === '' || /csv|excel|text\/plain/i.test(file.type);
  if (!/\.csv$/i.test(file.name) || !csvType) return 'Choose a CSV file (ending in .csv).';
  if (file.size === 0) return 'The file is empty.';
  if (file.size > MAX_IMPORT_BYTES) return 'The file is larger than 50 MB; split it into parts.';
  return null;
}

/** How many data rows a CSV holds, roughly (lines after the header), for the progress bar. */
export function roughRowCount(text: string): number {
  const lines = text.split(/\r\n|\n|\r/).filter((line) => line.trim() !== '');
  return Math.max(0, lines.length - 1);
}

/** How far the import is, 0..1; rows read over rows in the file (never past 1). */
export function importFraction(rowsRead: number, rowsInFile: number | null): number | null {
  if (!rowsInFile) return null;
  return Math.min(1, rowsRead / rowsInFile);
}
