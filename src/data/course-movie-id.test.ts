import { describe, expect, it } from 'vitest';
import { courseMovieId, uniqueCourseIds } from './course-movie-id.ts';

describe('courseMovieId', () => {
  it('joins lower-case title words with + and puts the year last', () => {
    expect(courseMovieId('Toy Story', 1995)).toBe('toy+story+1995');
    expect(courseMovieId('The Shawshank Redemption', 1994)).toBe('the+shawshank+redemption+1994');
  });

  it('turns commas into underscores in place, keeping dots', () => {
    expect(courseMovieId('Monsters, Inc.', 2001)).toBe('monsters_+inc.+2001');
  });

  it('drops characters that would break a URL path or a movielog line', () => {
    expect(courseMovieId('Mission: Impossible - Fallout', 2018)).toBe('mission+impossible+-+fallout+2018');
    expect(courseMovieId('What / Why? #1 = 50% "yes"', 2000)).toBe('what+why+1+50+yes+2000');
  });

  it('keeps accented letters as they are', () => {
    expect(courseMovieId('La moitié gauche du frigo', 2000)).toBe('la+moitié+gauche+du+frigo+2000');
  });

  it('omits a missing year and names an empty title untitled', () => {
    expect(courseMovieId('Babylon 5', null)).toBe('babylon+5');
    expect(courseMovieId(' :: ', 1999)).toBe('untitled+1999');
  });
});

describe('uniqueCourseIds', () => {
  it('keeps the first holder of an id and suffixes later ones in order', () => {
    expect(uniqueCourseIds(['emma+1996', 'saturn+3+1980', 'emma+1996', 'emma+1996'])).toEqual([
      'emma+1996',
      'saturn+3+1980',
      'emma+1996~2',
      'emma+1996~3',
    ]);
  });

  it('returns ids that are all distinct', () => {
    const ids = uniqueCourseIds(['a', 'a', 'a~2', 'a', 'b']);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
