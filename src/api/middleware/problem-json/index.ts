import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An RFC 9457 problem+json response. `detail` says what the client should do next; nothing internal
 * (stack, driver message) is ever put in it.
 */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  detail?: string,
  headers: Record<string, string> = {},
): Response {
  const body = JSON.stringify({
    type: 'about:blank',
    title,
    status,
    ...(detail && { detail }),
    instance: c.req.path,
  });
  return c.body(body, status, { ...headers, 'content-type': 'application/problem+json' });
}

/** Options of {@link problemErrorHandler}. */
export interface ProblemErrorOptions {
  /** Where unexpected errors are reported (they reach the client only as a bare 500). */
  readonly log?: (error: unknown) => void;
}

/** app.onError: HTTPExceptions keep their status and message; anything else is a bare 500. */
export function problemErrorHandler(options: ProblemErrorOptions = {}): ErrorHandler {
  return function problemJsonError(error, c) {
    if (error instanceof HTTPException)
      return problem(c, error.status as ContentfulStatusCode, error.message || 'error');
    options.log?.(error);
    return problem(c, 500, 'Internal Server Error', 'Try again later.');
  };
}

/** app.notFound as problem+json. */
export const problemNotFound: NotFoundHandler = (c) => problem(c, 404, 'Not Found');
