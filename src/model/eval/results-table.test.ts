import { describe, expect, it } from 'vitest';
import { formatTable } from './results-table.ts';

describe('formatTable', () => {
  it('pads columns to the widest cell and right-aligns numeric columns', () => {
    const text = formatTable(
      ['algorithm', 'RMSE'],
      [
        ['svd', '0.8734'],
        ['svd (tuned)', '0.86'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'algorithm      RMSE',
      '-----------  ------',
      'svd          0.8734',
      'svd (tuned)    0.86',
    ]);
  });
});
