import { describe, expect, it } from 'vitest';
import { idProblem, isMovieId, isUserId, movieIdSchema, userIdSchema } from './id-grammar.ts';

describe('the id grammar', () => {
  it('takes course, MovieLens and synthetic ids', () => {
    for (const id of [
      '763687',
      'u1',
      'toy+story+1995',
      'monsters_+inc.+2001',
      'café+2000',
      'x~2',
      '日本+2001',
    ])
      expect(isMovieId(id)).toBe(true);
    expect(isUserId('1'.repeat(64))).toBe(true);
  });

  it('refuses empty and over-long ids, controls, white space, commas and unpaired surrogates', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['a\u0000b', 'control character or white space'],
      ['a\nb', 'control character or white space'],
      ['a\u007fb', 'control character or white space'],
      ['a\u0085b', 'control character or white space'],
      ['a b', 'control character or white space'],
      ['a\u3000b', 'control character or white space'],
      ['a\u2028b', 'control character or white space'],
      ['a\ufeffb', 'control character or white space'],
      ['a,b', 'comma'],
      ['a\ud800b', 'unpaired surrogate'],
      ['a\udc00', 'unpaired surrogate'],
    ];
    for (const [id, problem] of cases) expect(idProblem(id, 300)).toBe(problem);
    expect(idProblem('a\ud83c\udfacb', 300)).toBeNull();
    expect(isUserId('1'.repeat(65))).toBe(false);
    expect(isMovieId('m'.repeat(301))).toBe(false);
  });

  it('refuses `.` and `..` path segments but not dots inside a segment', () => {
    for (const id of ['..', '.', '../etc/passwd', 'a/../b', 'a/..', 'a\\..\\b', 'a/./b'])
      expect(idProblem(id, 300)).toBe('dot path segment');
    for (const id of ['...', '..a', 'a..', 'a/...b/c', 'st.+elmo']) expect(idProblem(id, 300)).toBeNull();
  });

  it('explains a refusal in a schema', () => {
    const r = movieIdSchema.safeParse('a\u0000b');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('movie id: control character or white space');
    expect(userIdSchema.safeParse('42').success).toBe(true);
  });
});
