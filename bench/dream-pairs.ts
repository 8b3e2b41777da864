/*
 * Labelled topic pairs for the merge threshold of dream (bench/dream-threshold.ts): written by
 * hand, in the style of real agent memories. `duplicate` pairs say the same thing in other words
 * (dream should merge them); `distinct` pairs are about the same area but say different things
 * (dream must keep both). `conflict` pairs state different values for the same thing: dream
 * must settle them as a conflict and never merge them, however similar their words.
 */
export interface PairTopic {
  name: string;
  description: string;
  body: string;
}

export interface LabelledPair {
  label: 'duplicate' | 'distinct' | 'conflict';
  a: PairTopic;
  b: PairTopic;
}

const t = (name: string, description: string, body: string): PairTopic => ({ name, description, body });
const dup = (a: PairTopic, b: PairTopic): LabelledPair => ({ label: 'duplicate', a, b });
const distinct = (a: PairTopic, b: PairTopic): LabelledPair => ({ label: 'distinct', a, b });
const conflict = (a: PairTopic, b: PairTopic): LabelledPair => ({ label: 'conflict', a, b });

export const LABELLED_PAIRS: LabelledPair[] = [
  dup(
    t(
      'Staging deploys are blue-green',
      'how staging is deployed',
      'Staging deploys use a blue-green strategy.\n**Why:** zero downtime for QA.\n**How to apply:** never restart pods by hand.',
    ),
    t(
      'Blue-green deploys on staging',
      'staging deployment strategy',
      'We deploy staging blue-green: the new color is brought up, then traffic switches.\n**Why:** QA must not see downtime.',
    ),
  ),
  dup(
    t('Run tests with vitest', 'the test runner', 'Tests run with `npx vitest run`; do not use jest.'),
    t(
      'Use vitest to run the tests',
      'which test runner the project uses',
      'The project runs its tests with vitest (`npx vitest run`). Jest is not installed.',
    ),
  ),
  dup(
    t('Prefer pnpm over npm', 'package manager preference', 'The user wants pnpm for installs, never npm or yarn.'),
    t('User prefers pnpm', 'package manager the user likes', 'Always install packages with pnpm; the user dislikes npm and yarn.'),
  ),
  dup(
    t(
      'API errors are wrapped in ApiError',
      'error handling convention of the API layer',
      'Every error thrown by src/api is an ApiError with a code and an HTTP status.',
    ),
    t(
      'ApiError wraps API errors',
      'error convention in src/api',
      'Errors from src/api are always wrapped in ApiError, which carries a code and the HTTP status.',
    ),
  ),
  dup(
    t(
      'Database migrations with drizzle-kit',
      'how schema migrations are made',
      'Generate migrations with `npx drizzle-kit generate`, apply with `npx drizzle-kit migrate`.',
    ),
    t(
      'drizzle-kit migrations',
      'creating and applying database migrations',
      'Use drizzle-kit: `npx drizzle-kit generate` creates a migration and `npx drizzle-kit migrate` applies it.',
    ),
  ),
  dup(
    t(
      'Commit messages in imperative mood',
      'commit message style',
      'Write commit messages in the imperative: "Add X", not "Added X". Keep the subject under 72 characters.',
    ),
    t(
      'Imperative commit subjects',
      'style of commit messages',
      'Commit subjects are imperative ("Fix login", not "Fixed login") and shorter than 72 characters.',
    ),
  ),
  dup(
    t(
      'Feature flags live in flags.yaml',
      'where feature flags are defined',
      'All feature flags are declared in config/flags.yaml and read through the Flags service.',
    ),
    t(
      'Feature flags are declared in config/flags.yaml',
      'feature flag location',
      'Feature flags: config/flags.yaml declares them, the Flags service reads them.',
    ),
  ),
  dup(
    t('Lint before pushing', 'run the linter before a push', 'Run `npm run lint` before every push; CI rejects lint errors.'),
    t(
      'Run npm run lint before push',
      'CI fails on lint errors',
      'CI rejects pushes with lint errors, so run `npm run lint` before pushing.',
    ),
  ),
  dup(
    t('Logs go to stderr', 'logging convention', 'Library code logs to stderr through the logger; stdout belongs to the MCP transport.'),
    t(
      'Never log to stdout',
      'stdout is reserved for MCP',
      'Do not write logs to stdout: the MCP stdio transport owns it. Log to stderr via the logger.',
    ),
  ),
  dup(
    t(
      'Dates are stored in UTC',
      'time zone of stored dates',
      'All timestamps in the database are UTC; convert to local time only in the UI.',
    ),
    t(
      'Store timestamps in UTC',
      'database time zone convention',
      'Timestamps are saved in UTC and only converted to the local time zone in the UI layer.',
    ),
  ),
  dup(
    t(
      'The user reviews PRs in the morning',
      'when the user reviews pull requests',
      'The user reviews pull requests in the morning; ping them before noon.',
    ),
    t(
      'PR reviews happen in the morning',
      'the user reviews pull requests before noon',
      'Pull requests get reviewed by the user in the morning, so ask for reviews before noon.',
    ),
  ),
  dup(
    t(
      'Fix: Cannot find module',
      'what fixed module not found',
      'When you see: `Error: Cannot find module <path>`\nFix: run `npm run build` first; the tests import from dist/.',
    ),
    t(
      'Fix: Cannot find module dist',
      'module not found in tests',
      'Error `Cannot find module <path>` in tests means dist/ is missing: run `npm run build` before the tests.',
    ),
  ),
  dup(
    t('Use zod for validation', 'input validation library', 'Validate all external input with zod schemas; no hand-written checks.'),
    t(
      'Validate input with zod',
      'which validation library to use',
      'External input is validated with zod schemas, never with hand-written checks.',
    ),
  ),
  dup(
    t(
      'Docker images are built in CI',
      'where images are built',
      'Docker images are built by the CI pipeline and pushed to the registry; never push from a laptop.',
    ),
    t(
      'CI builds the Docker images',
      'image builds happen in CI',
      'The CI pipeline builds Docker images and pushes them to the registry. Do not push images from laptops.',
    ),
  ),
  dup(
    t(
      'Secrets come from Vault',
      'where secrets are stored',
      'Application secrets are read from Vault at startup; never commit them to .env files.',
    ),
    t('Read secrets from Vault', 'secret storage', 'Secrets are loaded from Vault when the app starts. .env files must not hold secrets.'),
  ),
  dup(
    t('Tabs for indentation', 'indentation preference', 'The user wants tabs for indentation in every language except YAML.'),
    t('User prefers tabs', 'indentation with tabs', 'Indent with tabs (not spaces) everywhere but YAML files; the user prefers it.'),
  ),
  dup(
    t(
      'Cache invalidation on deploy',
      'the CDN cache is purged at deploy',
      'Every production deploy purges the CDN cache with `make purge-cdn`.',
    ),
    t(
      'Purge the CDN cache when deploying',
      'cache purge step of deploys',
      'Production deploys end with `make purge-cdn`, which purges the CDN cache.',
    ),
  ),
  dup(
    t(
      'GraphQL schema is generated',
      'schema generation',
      'The GraphQL schema in schema.graphql is generated from the resolvers with `npm run gen:schema`; do not edit it by hand.',
    ),
    t(
      'Do not edit schema.graphql by hand',
      'the GraphQL schema is generated',
      'schema.graphql is generated from the resolvers (`npm run gen:schema`). Hand edits are overwritten.',
    ),
  ),
  dup(
    t(
      'Retry flaky e2e tests once',
      'e2e retry policy',
      'End-to-end tests are retried once in CI; a test that fails twice is a real failure.',
    ),
    t(
      'E2E tests get one retry',
      'retry policy of end-to-end tests',
      'In CI an e2e test is retried once; failing twice means a real failure, not flakiness.',
    ),
  ),
  dup(
    t('Node version is 20', 'runtime version', 'The project runs on Node 20 (see .nvmrc); do not use Node 22 features.'),
    t(
      'Project uses Node 20',
      'Node.js version of the project',
      'Node 20 is the runtime (.nvmrc says 20). Avoid features that need Node 22.',
    ),
  ),
  dup(
    t(
      'Payments service owns refunds',
      'which service handles refunds',
      'Refunds are handled by the payments service, not by orders; call POST /refunds on payments.',
    ),
    t(
      'Refunds are handled by payments',
      'refund ownership',
      'The payments service owns refunds (POST /refunds). The orders service must not issue refunds.',
    ),
  ),
  dup(
    t('Storybook for UI components', 'component documentation', 'Every UI component gets a Storybook story in the same folder.'),
    t(
      'Each component has a Storybook story',
      'stories next to components',
      'UI components are documented with a Storybook story placed next to the component.',
    ),
  ),
  distinct(
    t(
      'Staging deploys are blue-green',
      'how staging is deployed',
      'Staging deploys use a blue-green strategy.\n**Why:** zero downtime for QA.',
    ),
    t(
      'Production deploys are canary',
      'how production is deployed',
      'Production deploys go out as canaries: 5% of traffic first, then 100% after an hour.',
    ),
  ),
  distinct(
    t('Run tests with vitest', 'the test runner', 'Tests run with `npx vitest run`; do not use jest.'),
    t(
      'Tests need a running Postgres',
      'test database requirement',
      'The integration tests need Postgres on port 5433; start it with `docker compose up db`.',
    ),
  ),
  distinct(
    t('Prefer pnpm over npm', 'package manager preference', 'The user wants pnpm for installs, never npm or yarn.'),
    t('Lockfile is committed', 'pnpm-lock.yaml is in git', 'pnpm-lock.yaml is committed; update it in the same commit as package.json.'),
  ),
  distinct(
    t(
      'API errors are wrapped in ApiError',
      'error handling convention of the API layer',
      'Every error thrown by src/api is an ApiError with a code and an HTTP status.',
    ),
    t(
      'API responses are paginated',
      'pagination of list endpoints',
      'List endpoints of the API return 50 items per page with a cursor in `next`.',
    ),
  ),
  distinct(
    t(
      'Database migrations with drizzle-kit',
      'how schema migrations are made',
      'Generate migrations with `npx drizzle-kit generate`, apply with `npx drizzle-kit migrate`.',
    ),
    t(
      'Database backups run nightly',
      'backup schedule',
      'The production database is backed up every night at 02:00 UTC to the backups bucket.',
    ),
  ),
  distinct(
    t('Commit messages in imperative mood', 'commit message style', 'Write commit messages in the imperative: "Add X", not "Added X".'),
    t('Squash merge pull requests', 'merge strategy', 'Pull requests are squash-merged; the PR title becomes the commit message.'),
  ),
  distinct(
    t(
      'Feature flags live in flags.yaml',
      'where feature flags are defined',
      'All feature flags are declared in config/flags.yaml and read through the Flags service.',
    ),
    t(
      'Remove feature flags after launch',
      'flag cleanup',
      'A feature flag is removed within two weeks after its feature launched to everyone.',
    ),
  ),
  distinct(
    t('Lint before pushing', 'run the linter before a push', 'Run `npm run lint` before every push; CI rejects lint errors.'),
    t('Format with prettier', 'code formatting', 'Code is formatted with prettier on save; the config is in .prettierrc.'),
  ),
  distinct(
    t('Logs go to stderr', 'logging convention', 'Library code logs to stderr through the logger; stdout belongs to the MCP transport.'),
    t(
      'Log levels',
      'which log level to use',
      'Use debug for internals, info for lifecycle events, warn for recoverable problems, error for failures.',
    ),
  ),
  distinct(
    t(
      'Dates are stored in UTC',
      'time zone of stored dates',
      'All timestamps in the database are UTC; convert to local time only in the UI.',
    ),
    t('Dates are formatted with date-fns', 'date formatting library', 'Format dates in the UI with date-fns `format`, never with moment.'),
  ),
  distinct(
    t(
      'The user reviews PRs in the morning',
      'when the user reviews pull requests',
      'The user reviews pull requests in the morning; ping them before noon.',
    ),
    t(
      'The user is in Berlin',
      'time zone of the user',
      'The user works from Berlin (CET); avoid scheduling anything after 18:00 their time.',
    ),
  ),
  distinct(
    t(
      'Fix: Cannot find module',
      'what fixed module not found',
      'When you see: `Error: Cannot find module <path>`\nFix: run `npm run build` first; the tests import from dist/.',
    ),
    t(
      'Fix: port already in use',
      'what fixed EADDRINUSE',
      'When you see: `Error: listen EADDRINUSE <host>`\nFix: stop the old dev server with `npm run stop`.',
    ),
  ),
  distinct(
    t('Use zod for validation', 'input validation library', 'Validate all external input with zod schemas; no hand-written checks.'),
    t(
      'Config is parsed once',
      'configuration loading',
      'The configuration is parsed once at startup with its zod schema and passed down; nothing reads it later.',
    ),
  ),
  distinct(
    t(
      'Docker images are built in CI',
      'where images are built',
      'Docker images are built by the CI pipeline and pushed to the registry; never push from a laptop.',
    ),
    t(
      'Docker compose for local services',
      'running dependencies locally',
      'Local services (Postgres, Redis) run with `docker compose up`; the app itself runs on the host.',
    ),
  ),
  distinct(
    t(
      'Secrets come from Vault',
      'where secrets are stored',
      'Application secrets are read from Vault at startup; never commit them to .env files.',
    ),
    t(
      'Rotate API keys quarterly',
      'key rotation',
      'API keys of third parties are rotated every quarter; the calendar reminder is on the team calendar.',
    ),
  ),
  distinct(
    t('Tabs for indentation', 'indentation preference', 'The user wants tabs for indentation in every language except YAML.'),
    t('Line length is 120', 'maximum line length', 'Lines may be up to 120 characters; prettier enforces it.'),
  ),
  distinct(
    t(
      'Cache invalidation on deploy',
      'the CDN cache is purged at deploy',
      'Every production deploy purges the CDN cache with `make purge-cdn`.',
    ),
    t('Redis caches sessions', 'session storage', 'User sessions are cached in Redis with a 24 hour expiry.'),
  ),
  distinct(
    t(
      'GraphQL schema is generated',
      'schema generation',
      'The GraphQL schema in schema.graphql is generated from the resolvers with `npm run gen:schema`.',
    ),
    t(
      'GraphQL errors use extensions',
      'error format of the GraphQL API',
      'GraphQL errors carry a `code` in `extensions`; clients branch on it, never on the message.',
    ),
  ),
  distinct(
    t(
      'Retry flaky e2e tests once',
      'e2e retry policy',
      'End-to-end tests are retried once in CI; a test that fails twice is a real failure.',
    ),
    t(
      'E2E tests run against staging',
      'target environment of e2e tests',
      'The end-to-end suite runs against the staging environment after each deploy to staging.',
    ),
  ),
  distinct(
    t('Node version is 20', 'runtime version', 'The project runs on Node 20 (see .nvmrc); do not use Node 22 features.'),
    t('TypeScript is strict', 'compiler settings', 'tsconfig has strict and noUncheckedIndexedAccess on; never turn them off for a file.'),
  ),
  distinct(
    t(
      'Payments service owns refunds',
      'which service handles refunds',
      'Refunds are handled by the payments service, not by orders; call POST /refunds on payments.',
    ),
    t(
      'Payments webhooks are idempotent',
      'webhook handling',
      'Payment provider webhooks are processed idempotently by their event id; duplicates are ignored.',
    ),
  ),
  distinct(
    t('Storybook for UI components', 'component documentation', 'Every UI component gets a Storybook story in the same folder.'),
    t(
      'UI components use CSS modules',
      'styling of components',
      'Components are styled with CSS modules next to the component; no global CSS.',
    ),
  ),
  distinct(
    t(
      'Run the dev server with npm run dev',
      'starting the app locally',
      'Start the app locally with `npm run dev`; it listens on http://localhost:3000.',
    ),
    t('Run the tests with npm test', 'running the test suite', 'Run the whole test suite with `npm test`; it builds first.'),
  ),
  distinct(
    t('Deploys need an approved PR', 'deploy gate', 'Nothing is deployed to production without an approved and merged pull request.'),
    t('Deploys are frozen on Fridays', 'deploy freeze', 'No production deploys on Fridays after 14:00 UTC.'),
  ),
  distinct(
    t('Run tests with vitest', 'the test runner', 'Tests run with vitest.'),
    t(
      'Vitest runs in forks pool',
      'vitest pool setting',
      'Vitest is configured with pool forks in vitest.config.ts because the SQLite tests crash in threads; tests run with vitest as usual.',
    ),
  ),
  distinct(
    t('Staging deploys are blue-green', 'how staging is deployed', 'Staging deploys use a blue-green strategy.'),
    t(
      'Staging deploys need a ticket',
      'deploy approval on staging',
      'Every staging deploy needs a ticket in the DEPLOY project; blue-green or not, no ticket means no deploy.',
    ),
  ),
  distinct(
    t('The user prefers pnpm', 'package manager preference', 'The user prefers pnpm.'),
    t(
      'The user prefers short answers',
      'answer style the user likes',
      'The user prefers short answers without preamble; no summaries at the end.',
    ),
  ),
  distinct(
    t(
      'API tokens expire after one hour',
      'token lifetime',
      'Access tokens of the API expire after one hour; refresh tokens after 30 days.',
    ),
    t(
      'API tokens are sent as Bearer',
      'authentication header',
      'Clients send API tokens in the Authorization header as Bearer tokens, never as query parameters.',
    ),
  ),
  distinct(
    t('Build with tsc', 'how the package is built', 'The package is built with `tsc -p tsconfig.build.json` into dist/.'),
    t(
      'Type check with tsc',
      'type checking without emitting',
      'Run `tsc --noEmit -p tsconfig.json` to type check; it covers tests and benches too, unlike the build.',
    ),
  ),
  distinct(
    t('Orders service uses Postgres', 'database of the orders service', 'The orders service stores orders in Postgres (database orders).'),
    t(
      'Inventory service uses MongoDB',
      'database of the inventory service',
      'The inventory service keeps stock levels in MongoDB (database inventory).',
    ),
  ),
  distinct(
    t(
      'Review the migration before merge',
      'migration review rule',
      'Every database migration is reviewed by a second person before the pull request is merged.',
    ),
    t(
      'Review the changelog before release',
      'release checklist',
      'Before a release, review the changelog and bump the version in package.json.',
    ),
  ),
  distinct(
    t(
      'Fix: connection refused to Postgres',
      'what fixed ECONNREFUSED on port 5432',
      'When you see: `connect ECONNREFUSED <host>`\nFix: start Postgres with `docker compose up db`.',
    ),
    t(
      'Fix: connection refused to Redis',
      'what fixed ECONNREFUSED on port 6379',
      'When you see: `connect ECONNREFUSED <host>` from the cache client\nFix: start Redis with `docker compose up redis`.',
    ),
  ),
  distinct(
    t('Use feature branches', 'branching model', 'Work happens on feature branches named feature/<ticket>; main is protected.'),
    t(
      'Main is deployed on merge',
      'continuous deployment',
      'Every merge to main deploys to production automatically after the pipeline passes.',
    ),
  ),
  distinct(
    t('The user is on macOS', 'operating system of the user', 'The user works on macOS; shell snippets must work with BSD sed.'),
    t('CI runs on Linux', 'operating system of CI', 'CI runners are Linux (Ubuntu 24.04); GNU sed there.'),
  ),
  // issue 12: merged at similarity 0.30 (the threshold) although one is the production port, the other a fallback
  distinct(
    t('API port', 'the port of the API in production', 'The API listens on port 8080 in production.'),
    t('Port default', 'the API port defaults to 8080', 'loadConfig falls back to port 8080 when `port` is missing.'),
  ),
  conflict(
    t('API port', 'the port of the API in production', 'The API listens on port 8080 in production.'),
    t('API port', 'the port the API listens on', 'The API listens on port 9090 in production.'),
  ),
  conflict(
    t('Node version', 'which Node the project needs', 'The project runs on Node 20.19; CI pins the same version.'),
    t('Node version of the project', 'the Node version', 'The project runs on Node 22.11; CI pins the same version.'),
  ),
];
