import { Hono } from 'hono';

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problem } },
});

/** The OpenAPI 3.1 description of Marquee's HTTP API. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Marquee', version: '1', description: 'Real-time movie recommendations.' },
  paths: {
    '/recommend/{userId}': {
      get: {
        summary: 'The course contract: up to 20 movie ids, best first, comma-separated, no spaces',
        parameters: [
          { name: 'userId', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{1,12}$' } },
        ],
        responses: {
          '200': {
            description: 'One line',
            content: { 'text/plain': { schema: { type: 'string', example: 'a+1999,b+2001' } } },
          },
          '400': { description: 'Not a user id', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    '/v1/users/{userId}/recommendations': {
      get: {
        summary: 'Recommendations with titles, genres, noisy scores and the steps that placed each item',
        description:
          "Needs a token for that user, or an admin or service role. What the guard withheld is shown to the user's own token only.",
        security: [{ bearer: [] }],
        parameters: [
          { name: 'userId', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{1,12}$' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        ],
        responses: {
          '200': {
            description: 'The list',
            headers: {
              'X-Model-Version': { schema: { type: 'string' } },
              'X-AB-Arm': {
                description: "a or b (id parity) when no experiment runs; else the user's arm, e<id>.<arm>",
                schema: { type: 'string', pattern: '^(a|b|e\\d+\\.[a-z0-9][a-z0-9_+-]{0,23})$' },
              },
            },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Recommendations' } } },
          },
          '400': problemResponse('Bad user id or limit'),
          '401': problemResponse(
            'Missing or invalid token (tokens must carry exp, at most JWT_MAX_AGE ahead)',
          ),
          '403': problemResponse("The token's subject is not this user, and it has no admin or service role"),
          '429': problemResponse('Throttled; see Retry-After'),
        },
      },
    },
    '/v1/experiments/{id}': {
      get: {
        summary: "An A/B experiment's report (what `marquee experiment report` prints), as JSON",
        description:
          'Per arm: users, ratings, online RMSE per batch of 1,000, watch-through; each arm against the control with the user as the unit (Welch, delta method, the always-valid sequential test) beside the per-rating test; the SRM check; the decision. Each call is a look at the sequential test. Needs an admin or service token.',
        security: [{ bearer: [] }],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{1,18}$' } },
        ],
        responses: {
          '200': {
            description: 'The report (docs/experiments.md)',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '400': problemResponse('Not an experiment id'),
          '401': problemResponse('Missing or invalid token'),
          '403': problemResponse('The token has no admin or service role'),
          '404': problemResponse('No such experiment'),
          '503': problemResponse('The experiment store cannot be read now; retry after Retry-After'),
        },
      },
    },
    '/v1/ratings': {
      post: {
        summary: 'Rate a movie (published as a user event; idempotent per Idempotency-Key)',
        security: [{ bearer: [] }],
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['userId', 'movieId', 'rating'],
                properties: {
                  userId: { type: 'string', pattern: '^\\d{1,12}$' },
                  movieId: { type: 'string', maxLength: 300 },
                  rating: { type: 'integer', minimum: 1, maximum: 5 },
                },
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'Accepted',
            content: {
              'application/json': { schema: { type: 'object', properties: { eventId: { type: 'string' } } } },
            },
          },
          '400': problemResponse('Missing Idempotency-Key or malformed body'),
          '401': problemResponse(
            'Missing or invalid token (tokens must carry exp, at most JWT_MAX_AGE ahead)',
          ),
          '403': problemResponse("The token's subject is not the rated user"),
          '409': problemResponse('The Idempotency-Key was used before with a different body'),
          '413': problemResponse('Body too large'),
          '422': problemResponse('Invalid rating'),
          '429': problemResponse("Throttled, or the account's daily rating quota is spent; see Retry-After"),
          '503': problemResponse(
            'Nothing was recorded (key store or Kafka unavailable, or the same key still in flight); retry with the same key after Retry-After',
          ),
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Problem: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
        },
      },
      Recommendations: {
        type: 'object',
        properties: {
          userId: { type: 'string' },
          modelVersion: { type: ['string', 'null'] },
          arm: { type: 'string' },
          source: { type: 'string', enum: ['personal', 'cold', 'fallback'] },
          withheld: {
            type: ['object', 'null'],
            properties: { forbidden: { type: 'integer' }, seen: { type: 'integer' } },
          },
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                movieId: { type: 'string' },
                title: { type: ['string', 'null'] },
                genres: { type: 'array', items: { type: 'string' } },
                score: {
                  type: ['number', 'null'],
                  description:
                    'the ranking score (model blended with live popularity, z-score units), noisy and rounded; null on the fallback',
                },
                reasons: {
                  type: 'array',
                  items: { type: 'string', enum: ['score', 'diversify', 'debias', 'popular', 'fallback'] },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** `GET /openapi.json`. */
export function openApiRoute(): Hono {
  return new Hono().get('/openapi.json', (c) => c.json(openApiDocument));
}
