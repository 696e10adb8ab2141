/**
 * Course-style movie ids: lower-case title words joined by `+`, year last (`toy+story+1995`), as the
 * MLIP movielog writes them. Rules (what the course's ids show, made exact):
 * - words are split on white space; a comma becomes `_` in place (`monsters_+inc.+2001`);
 * - letters (any script, lower-cased) and digits are kept, as are `.`, `'`, `&`, `!`, `-` and `_`;
 *   everything else (`:`, `/`, `?`, `#`, `%`, `=`, parentheses, quotes...) is dropped, so an id is
 *   always safe in a URL path and in a movielog line (no `,`, `/`, `=` or space);
 * - words left empty are dropped; the year is appended when known; an empty title becomes `untitled`.
 * Ids are unique within a dataset only after {@link uniqueCourseIds}.
 */

const KEPT = /[^\p{L}\p{N}.'&!_-]/gu;

/** The course-style id for a display title and release year (`Monsters, Inc.`, 2001 → `monsters_+inc.+2001`). */
export function courseMovieId(title: string, year: number | null): string {
  const words: string[] = [];
  for (const raw of title.normalize('NFC').toLowerCase().split(/\s+/u)) {
    const word = raw.replaceAll(',', '_').replace(KEPT, '');
    if (word !== '') words.push(word);
  }
  if (words.length === 0) words.push('untitled');
  if (year != null && Number.isInteger(year)) words.push(String(year));
  return words.join('+');
}

/**
 * Makes ids unique, deterministically by input order: the first holder of an id keeps it, later ones get
 * `~2`, `~3`, ... (`~` never appears in a base id, so a suffixed id cannot collide with a real title).
 * Callers pass movies in a stable order (MovieLens: file order, i.e. ascending source id).
 */
export function uniqueCourseIds(baseIds: readonly string[]): string[] {
  const taken = new Set<string>();
  const next = new Map<string, number>();
  const out: string[] = [];
  for (const base of baseIds) {
    let id = base;
    if (taken.has(id)) {
      let n = next.get(base) ?? 2;
      while (taken.has(`${base}~${n}`)) n++;
      id = `${base}~${n}`;
      next.set(base, n + 1);
    }
    taken.add(id);
    out.push(id);
  }
  return out;
}
