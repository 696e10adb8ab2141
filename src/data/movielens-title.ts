/**
 * MovieLens titles carry the year and sometimes alternative titles in parentheses, and put leading
 * articles last: `City of Lost Children, The (Cité des enfants perdus, La) (1995)`. We turn them into a
 * display title the way TMDB (and so the course) writes it: `The City of Lost Children`, year 1995.
 */

/** A MovieLens title split into a display title and a year. */
export interface ParsedTitle {
  title: string;
  year: number | null;
}

const YEAR_AT_END = /\(\s*(\d{4})(?:\s*[-–]\s*\d{0,4})?\s*\)\s*$/u;
const TRAILING_PAREN = /\s*\([^()]*\)\s*$/u;
const TRAILING_ARTICLE =
  /^(.+), (The|A|An|Les|La|Le|L'|Il|Lo|Gli|Das|Der|Die|Den|Det|De|Het|Ein|Eine|El|Los|Las|Un|Une|Os|As)$/u;

/** Splits `American President, The (1995)` into `{ title: 'The American President', year: 1995 }`. */
export function parseMovieLensTitle(raw: string): ParsedTitle {
  let title = raw.trim();
  let year: number | null = null;
  const match = YEAR_AT_END.exec(title);
  if (match?.[1] !== undefined) {
    year = Number(match[1]);
    title = title.slice(0, match.index).trim();
  }
  // Alternative titles and a.k.a.s follow the main title in parentheses; keep the main one.
  for (let cut = title.replace(TRAILING_PAREN, ''); cut !== title && cut !== '';) {
    title = cut;
    cut = title.replace(TRAILING_PAREN, '');
  }
  const article = TRAILING_ARTICLE.exec(title);
  if (article?.[1] !== undefined && article[2] !== undefined) {
    const sep = article[2].endsWith("'") ? '' : ' ';
    title = `${article[2]}${sep}${article[1]}`;
  }
  return { title: title === '' ? raw.trim() : title, year };
}
