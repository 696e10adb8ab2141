import { describe, expect, it } from 'vitest';
import { compact, formatFlow, formatTitles, seconds } from './demo-view.ts';

describe('the demo view', () => {
  it('writes counts for people', () => {
    expect([950, 9_999, 12_400, 1_250_000].map(compact)).toEqual(['950', '9999', '12k', '1.3M']);
  });

  it('shows the first titles and how many more, apart even when titles hold commas', () => {
    expect(formatTitles(['Planet, Secret Winter', 'B', 'C', 'D', 'E', 'F'], 3)).toBe(
      'Planet, Secret Winter · B · C … +3',
    );
    expect(formatTitles(['A', 'B'])).toBe('A · B');
    expect(formatTitles([])).toBe('(empty)');
  });

  it('says what has flowed in one line, with the most popular title and the watched user', () => {
    const line = formatFlow(
      {
        ratings: 12_400,
        watches: 800,
        users: 90,
        movies: 40,
        popular: ['heat+1995'],
        watched: { userId: '7', norm: 0.5, bias: -0.25 },
      },
      (id) => (id === 'heat+1995' ? 'Heat' : id),
    );
    expect(line).toBe(
      'postgres: 12k ratings, 800 watches, 90 users · most popular now: Heat · user 7: |p_u| 0.500, b_u -0.250',
    );
  });

  it('gives short durations two decimals', () => {
    expect([seconds(480), seconds(12_345)]).toEqual(['0.48 s', '12.3 s']);
  });
});
