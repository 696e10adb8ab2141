import { describe, expect, it } from 'vitest';
import { parseMovieLensTitle } from './movielens-title.ts';

describe('parseMovieLensTitle', () => {
  it('splits off the year', () => {
    expect(parseMovieLensTitle('Toy Story (1995)')).toEqual({ title: 'Toy Story', year: 1995 });
  });

  it('moves a trailing article to the front', () => {
    expect(parseMovieLensTitle('American President, The (1995)')).toEqual({
      title: 'The American President',
      year: 1995,
    });
    expect(parseMovieLensTitle('Misérables, Les (1995)').title).toBe('Les Misérables');
    expect(parseMovieLensTitle("Auberge espagnole, L' (2002)").title).toBe("L'Auberge espagnole");
  });

  it('drops alternative titles in parentheses', () => {
    expect(parseMovieLensTitle('City of Lost Children, The (Cité des enfants perdus, La) (1995)')).toEqual({
      title: 'The City of Lost Children',
      year: 1995,
    });
  });

  it('reads the first year of a range and leaves titles without a year alone', () => {
    expect(parseMovieLensTitle('Fawlty Towers (1975-1979)').year).toBe(1975);
    expect(parseMovieLensTitle('Babylon 5')).toEqual({ title: 'Babylon 5', year: null });
    expect(parseMovieLensTitle('Ready Player One ')).toEqual({ title: 'Ready Player One', year: null });
  });

  it('keeps a title that is only a parenthesis', () => {
    expect(parseMovieLensTitle('(500) Days of Summer (2009)').title).toBe('(500) Days of Summer');
    expect(parseMovieLensTitle('(Untitled) (2009)').title).toBe('(Untitled)');
  });
});
