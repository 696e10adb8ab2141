import { describe, expect, it } from 'vitest';
import { forEachCsvRow, forEachLine } from './delimited-text.ts';

function csv(text: string): [string[], number, boolean][] {
  const rows: [string[], number, boolean][] = [];
  forEachCsvRow(text, (f, n, b) => rows.push([f, n, b]));
  return rows;
}

describe('forEachLine', () => {
  it('splits LF and CRLF lines, skipping empty ones, with line numbers', () => {
    const lines: [string, number][] = [];
    forEachLine('a\r\nb\n\nc', (l, n) => lines.push([l, n]));
    expect(lines).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 4],
    ]);
  });
});

describe('forEachCsvRow', () => {
  it('reads quoted fields with commas and doubled quotes', () => {
    expect(csv('1,"Monsters, Inc. (2001)",Comedy\r\n2,"Say ""hi""",\r\n')).toEqual([
      [['1', 'Monsters, Inc. (2001)', 'Comedy'], 1, false],
      [['2', 'Say "hi"', ''], 2, false],
    ]);
  });

  it('keeps line breaks inside quotes and counts lines', () => {
    expect(csv('"a\nb",c\nd,e')).toEqual([
      [['a\nb', 'c'], 1, false],
      [['d', 'e'], 3, false],
    ]);
  });

  it('flags an unterminated quote and text after a closing quote as broken', () => {
    expect(csv('x,"ab"c,d\n')[0]?.[2]).toBe(true);
    expect(csv('x,"never closed\ny,z')).toEqual([[['x', 'never closed\ny,z'], 1, true]]);
  });
});
