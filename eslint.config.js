// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The architecture as rules (docs/architecture.md, "Rooms"): what each folder may import. A broken
 * rule fails `npm test` (eslint runs in `npm run check`).
 */
const io = [
  'ioredis',
  'kafkajs',
  'pg',
  'bullmq',
  'hono',
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
];
const ioPaths = io.map((name) => ({ name, message: 'pure code: I/O lives at the edges (STYLE.md 2).' }));
const actorsFromOutside = {
  regex: '(^|/)actors/',
  message:
    'only the composition roots (src/cli, bench, tests) import actors/: depend on src/state or streams/tasks instead.',
};
/** Key builders of actor state: only src/state names them (and so owns the hash fields). */
const actorStateKeys = {
  selector:
    'CallExpression > MemberExpression.callee > Identifier.property[name=/^(userState|userFactors|userHistory|userServed|userRecent|movieState|movieFactors|movieDayRaters)$/]',
  message:
    'actor state in Redis is read and written through src/state/ (user-state.ts, movie-state.ts) only.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['src/state/**', 'src/store/redis-keys.ts', 'src/store/redis-keys.test.ts'],
    rules: { 'no-restricted-syntax': ['error', actorStateKeys] },
  },
  {
    files: ['streams/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)actors/',
              message: 'streams/ never imports actors/: actors implement streams/tasks/stage.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [actorsFromOutside] }] },
  },
  {
    files: ['src/model/**/*.ts', 'src/guardrails/**/*.ts', 'src/lib/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioPaths,
          patterns: [
            actorsFromOutside,
            {
              regex: '(^|/)(streams|store|state|services|api|serving|jobs|cli|data/load-dataset)(/|\\.ts$)',
              message:
                'src/model, src/guardrails and src/lib are pure: no Kafka, Redis, Postgres, HTTP or files.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
