/**
 * Calls `GET /recommend/<user>` as the course's simulator does: one request per user with a deadline,
 * a few at a time, and judges each answer by the course's contract (MLIP.md): status 200 within the
 * deadline, one line of at most 20 distinct comma-separated ids, no spaces.
 */

/** One user's answer. */
export interface RecommendAnswer {
  readonly userId: string;
  /** HTTP status; 0 when no answer came (timeout, refused). */
  readonly status: number;
  readonly body: string;
  /** The ids in the body, in order ([] for an empty or failed answer). */
  readonly ids: readonly string[];
  /** From sending the request to the end of the body (or to the deadline). */
  readonly ms: number;
  readonly timedOut: boolean;
  /** Status 200, within the deadline, and a well-formed list (possibly empty). */
  readonly valid: boolean;
  readonly modelVersion: string | null;
  /** Present on personal lists: the version of the user vector that scored it. */
  readonly userVectorVersion: string | null;
  readonly error: string | null;
}

/** How the calls are made. */
export interface RecommendCallOptions {
  /** The course's deadline (default 600 ms). */
  readonly timeoutMs?: number;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
}

const LIST = /^[^\s,]+(,[^\s,]+)*$/;

/** Whether a body is a course answer: empty, or at most 20 distinct ids joined by ',' with no spaces. */
export function wellFormedList(body: string): boolean {
  if (body === '') return true;
  if (!LIST.test(body)) return false;
  const ids = body.split(',');
  return ids.length <= 20 && new Set(ids).size === ids.length;
}

/** One call. */
export async function callRecommend(
  baseUrl: string,
  userId: string,
  timeoutMs = 600,
): Promise<RecommendAnswer> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(`${baseUrl}/recommend/${userId}`, { signal });
    const body = await res.text();
    const ms = performance.now() - started;
    const ids = body === '' ? [] : body.split(',');
    return {
      userId,
      status: res.status,
      body,
      ids,
      ms,
      timedOut: false,
      valid: res.status === 200 && ms <= timeoutMs && wellFormedList(body),
      modelVersion: res.headers.get('x-model-version'),
      userVectorVersion: res.headers.get('x-user-vector-version'),
      error: null,
    };
  } catch (error) {
    const timedOut = signal.aborted;
    return {
      userId,
      status: 0,
      body: '',
      ids: [],
      ms: performance.now() - started,
      timedOut,
      valid: false,
      modelVersion: null,
      userVectorVersion: null,
      error: timedOut ? `no answer within ${timeoutMs} ms` : String(error),
    };
  }
}

/** Calls every user, `concurrency` at a time; answers come back in the order of `userIds`. */
export async function callRecommendForAll(
  baseUrl: string,
  userIds: readonly string[],
  options: RecommendCallOptions = {},
): Promise<RecommendAnswer[]> {
  const answers: RecommendAnswer[] = new Array<RecommendAnswer>(userIds.length);
  let next = 0;
  const lane = async () => {
    for (let k = next++; k < userIds.length; k = next++)
      answers[k] = await callRecommend(baseUrl, userIds[k] as string, options.timeoutMs ?? 600);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, lane));
  return answers;
}
