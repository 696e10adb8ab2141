/**
 * The MovieLens code books: 1M occupation codes and age bands, the 100K occupation words mapped onto the
 * 1M vocabulary (the one the course's user service speaks), and the 100K genre flag order.
 */

/** MovieLens 1M occupations by code (0-20), in the words the course's user service uses. */
export const OCCUPATIONS_1M: readonly string[] = [
  'other or not specified',
  'academic/educator',
  'artist',
  'clerical/admin',
  'college/grad student',
  'customer service',
  'doctor/health care',
  'executive/managerial',
  'farmer',
  'homemaker',
  'K-12 student',
  'lawyer',
  'programmer',
  'retired',
  'sales/marketing',
  'scientist',
  'self-employed',
  'technician/engineer',
  'tradesman/craftsman',
  'unemployed',
  'writer',
];

/**
 * MovieLens 1M records age bands, not ages. We store one age inside each band so band-based rules keep
 * their side (the under-18 band stays a minor): 1 "Under 18" → 15, 18 "18-24" → 21, 25 "25-34" → 30,
 * 35 "35-44" → 40, 45 "45-49" → 47, 50 "50-55" → 53, 56 "56+" → 60.
 */
export const AGE_BANDS_1M: ReadonlyMap<number, number> = new Map([
  [1, 15],
  [18, 21],
  [25, 30],
  [35, 40],
  [45, 47],
  [50, 53],
  [56, 60],
]);

const OCCUPATIONS_100K: Readonly<Record<string, string>> = {
  administrator: 'clerical/admin',
  artist: 'artist',
  doctor: 'doctor/health care',
  educator: 'academic/educator',
  engineer: 'technician/engineer',
  entertainment: 'artist',
  executive: 'executive/managerial',
  healthcare: 'doctor/health care',
  homemaker: 'homemaker',
  lawyer: 'lawyer',
  librarian: 'academic/educator',
  marketing: 'sales/marketing',
  none: 'unemployed',
  other: 'other or not specified',
  programmer: 'programmer',
  retired: 'retired',
  salesman: 'sales/marketing',
  scientist: 'scientist',
  technician: 'technician/engineer',
  writer: 'writer',
};

/**
 * Maps a MovieLens 100K occupation onto the 1M vocabulary (lossy: `entertainment` → `artist`); a
 * `student` under 18 is a `K-12 student`, otherwise a `college/grad student`; unknown words → null.
 */
export function occupationFrom100k(word: string, age: number | null): string | null {
  const w = word.trim().toLowerCase();
  if (w === 'student') return age != null && age < 18 ? 'K-12 student' : 'college/grad student';
  return Object.hasOwn(OCCUPATIONS_100K, w) ? (OCCUPATIONS_100K[w] ?? null) : null;
}

/** The 19 genre flags at the end of a 100K `u.item` row, in file order (`unknown` means no genre). */
export const GENRES_100K: readonly string[] = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];
