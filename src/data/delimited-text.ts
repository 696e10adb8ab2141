/**
 * Line and CSV splitting for dataset files: LF or CRLF line ends, RFC 4180 quoting (`"a, b"`, `""` for a
 * quote, quoted line breaks). Never throws: an unterminated quote ends the row at end of text and the
 * row is reported as broken so the caller can skip and count it.
 */

/** Calls `onLine` for every non-empty line (without its `\r\n`/`\n`), with its 1-based line number. */
export function forEachLine(text: string, onLine: (line: string, lineNo: number) => void): void {
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop > start) onLine(text.slice(start, stop), lineNo);
    start = end + 1;
  }
}

/**
 * Calls `onRow` for every non-empty CSV record with its fields, 1-based line number of its start, and
 * whether it is broken (an unterminated quote or text after a closing quote).
 */
export function forEachCsvRow(
  text: string,
  onRow: (fields: string[], lineNo: number, broken: boolean) => void,
): void {
  const n = text.length;
  let i = 0;
  let lineNo = 1;
  while (i < n) {
    const startLine = lineNo;
    const fields: string[] = [];
    let broken = false;
    let endOfRow = false;
    while (!endOfRow) {
      let field = '';
      if (i < n && text.charCodeAt(i) === 34) {
        i++;
        let closed = false;
        while (i < n) {
          const q = text.indexOf('"', i);
          if (q === -1) {
            field += text.slice(i);
            lineNo += countNewlines(text, i, n);
            i = n;
            break;
          }
          lineNo += countNewlines(text, i, q);
          field += text.slice(i, q);
          if (text.charCodeAt(q + 1) === 34) {
            field += '"';
            i = q + 2;
          } else {
            i = q + 1;
            closed = true;
            break;
          }
        }
        if (!closed) broken = true;
        // Anything between the closing quote and the next separator is not CSV.
        while (i < n && !isSeparator(text.charCodeAt(i))) {
          broken = true;
          field += text[i];
          i++;
        }
      } else {
        let j = i;
        while (j < n && !isSeparator(text.charCodeAt(j))) j++;
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      const c = i < n ? text.charCodeAt(i) : -1;
      if (c === 44) {
        i++;
      } else {
        if (c === 13) i++;
        if (i < n && text.charCodeAt(i) === 10) i++;
        if (c !== -1) lineNo++;
        endOfRow = true;
      }
    }
    if (!(fields.length === 1 && fields[0] === '' && !broken)) onRow(fields, startLine, broken);
  }
}

function isSeparator(c: number): boolean {
  return c === 44 || c === 10 || c === 13;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = text.indexOf('\n', from); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) count++;
  return count;
}
