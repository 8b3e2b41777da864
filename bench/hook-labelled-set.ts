/*
 * The labelled set of bench/hook-bench.ts, written for it: a project memory of 18 topics (2 of
 * them lessons with an error signature) and 48 prompts, each with the topic the per-prompt hook
 * should add, or none. Prompts are worded as a user would type them, not copied from the topics;
 * half of them match nothing in the memory (an unrelated prompt must cost zero tokens).
 */

export interface LabelledTopic {
  slug: string;
  name: string;
  description: string;
  type: 'user' | 'feedback' | 'project' | 'reference' | 'lesson';
  tags?: string[];
  errorSignature?: string;
  body: string;
}

export const HOOK_TOPICS: LabelledTopic[] = [
  {
    slug: 'staging-blue-green',
    name: 'Staging deploys are blue-green',
    description: 'how staging deploys switch traffic between the blue and green stacks',
    type: 'project',
    tags: ['deploy', 'staging'],
    body: 'Deploy to the idle colour, run the smoke tests, then `make flip` switches the load balancer. Never deploy to the live colour.',
  },
  {
    slug: 'use-pnpm',
    name: 'Use pnpm',
    description: 'the package manager for installs and scripts',
    type: 'feedback',
    tags: ['tooling'],
    body: 'The user wants pnpm, never npm or yarn: `pnpm install`, `pnpm add`, `pnpm run`.',
  },
  {
    slug: 'integration-tests-real-db',
    name: 'Integration tests hit a real database',
    description: 'integration tests use a real Postgres, never mocks',
    type: 'feedback',
    tags: ['testing', 'postgres'],
    body: 'Start the database with `docker compose up -d db`; tests truncate tables between cases. Mocked databases hid a migration bug once.',
  },
  {
    slug: 'release-freeze',
    name: 'Merge freeze before the mobile release',
    description: 'no non-critical merges in the week before a mobile release',
    type: 'project',
    tags: ['release', 'mobile'],
    body: 'From Monday of release week only fixes labelled critical are merged; everything else waits for the release branch cut.',
  },
  {
    slug: 'linear-ingest',
    name: 'Pipeline bugs live in Linear INGEST',
    description: 'where ingestion pipeline bugs are tracked',
    type: 'reference',
    tags: ['linear', 'pipeline'],
    body: 'File ingestion and ETL bugs in the Linear project INGEST, not in GitHub issues.',
  },
  {
    slug: 'user-role',
    name: 'User is a data scientist',
    description: 'the user knows backend and data, and is new to the React frontend',
    type: 'user',
    body: 'Explain frontend ideas through backend and data concepts.',
  },
  {
    slug: 'api-kebab-case',
    name: 'API endpoints are kebab-case nouns',
    description: 'naming rule for REST endpoint paths',
    type: 'project',
    tags: ['api', 'naming'],
    body: 'Paths like `/order-items/{id}`; verbs go in the HTTP method, never in the path.',
  },
  {
    slug: 'feature-flags',
    name: 'Feature flags live in LaunchDarkly',
    description: 'how new features are hidden behind flags',
    type: 'project',
    tags: ['flags'],
    body: 'Wrap new UI in `useFlag("name")`; flags are created in LaunchDarkly by the feature owner and removed two weeks after full rollout.',
  },
  {
    slug: 'logging-pino',
    name: 'Structured logging with pino',
    description: 'services log JSON through pino, never console.log',
    type: 'project',
    tags: ['logging', 'observability'],
    body: 'Use the shared `logger` from `src/lib/log.ts`; add request ids with `logger.child({ requestId })`.',
  },
  {
    slug: 'migrations-expand-contract',
    name: 'Database migrations are expand then contract',
    description: 'schema changes ship in two deploys so old code keeps working',
    type: 'project',
    tags: ['database', 'migrations'],
    body: 'First add the new column or table and write to both; after the deploy, backfill; a later migration drops the old column.',
  },
  {
    slug: 'oncall-pager',
    name: 'On-call rotation is in PagerDuty',
    description: 'who is on call and how to page them',
    type: 'reference',
    tags: ['oncall'],
    body: 'Schedule "web-primary" in PagerDuty; page with `/pd trigger` in Slack #incidents.',
  },
  {
    slug: 'css-tailwind',
    name: 'Styling uses Tailwind utility classes',
    description: 'no CSS modules or styled-components in new code',
    type: 'feedback',
    tags: ['frontend', 'css'],
    body: 'Compose Tailwind classes; shared patterns become components, not @apply blocks.',
  },
  {
    slug: 'secrets-vault',
    name: 'Secrets come from Vault',
    description: 'where API keys and passwords are kept for each environment',
    type: 'project',
    tags: ['secrets', 'security'],
    body: 'Read them with `vault kv get secret/web/<env>`; never commit them or put them in .env files that are checked in.',
  },
  {
    slug: 'pr-small',
    name: 'Keep pull requests small',
    description: 'the user prefers pull requests under 400 changed lines',
    type: 'feedback',
    tags: ['review'],
    body: 'Split refactors from behaviour changes; stack PRs when a change is bigger.',
  },
  {
    slug: 'e2e-playwright',
    name: 'End-to-end tests run in Playwright',
    description: 'browser tests and how to run them locally',
    type: 'project',
    tags: ['testing', 'e2e'],
    body: '`pnpm e2e` runs them headless; `pnpm e2e --ui` opens the runner. Tests live in `e2e/` and use the seeded test account.',
  },
  {
    slug: 'cache-redis-ttl',
    name: 'Redis cache keys need a TTL',
    description: 'every key written to the Redis cache must expire',
    type: 'project',
    tags: ['redis', 'cache'],
    body: 'Use `cache.set(key, value, { ttl })`; keys without a TTL filled the instance in March.',
  },
  {
    slug: 'lesson-stripe-api-version',
    name: 'Stripe API version must match the SDK',
    description: 'fix for StripeInvalidRequestError Invalid API version',
    type: 'lesson',
    errorSignature: 'StripeInvalidRequestError: Invalid API version',
    body: 'Set `apiVersion` in src/payments/stripe.ts to the version the installed SDK ships with, then run the checkout tests.',
  },
  {
    slug: 'lesson-eaddrinuse',
    name: 'Port 3000 already in use by a stale dev server',
    description: 'fix for EADDRINUSE when starting the dev server',
    type: 'lesson',
    errorSignature: 'Error: listen EADDRINUSE: address already in use :::3000',
    body: 'A previous `pnpm dev` still runs: `lsof -i :3000` and kill it, or start with PORT=3001.',
  },
];

export interface LabelledPrompt {
  prompt: string;
  /** The topic that should be added; undefined: nothing should be. */
  expected: string | undefined;
}

export const HOOK_PROMPTS: LabelledPrompt[] = [
  { prompt: 'Deploy the new build to staging and switch traffic over', expected: 'staging-blue-green' },
  { prompt: 'install the date-fns package for the frontend', expected: 'use-pnpm' },
  { prompt: 'Write an integration test for the orders repository', expected: 'integration-tests-real-db' },
  { prompt: 'Can we merge this refactor now? The mobile release is on Friday.', expected: 'release-freeze' },
  { prompt: 'The ingestion pipeline dropped rows again, where should I file the bug?', expected: 'linear-ingest' },
  { prompt: 'Add an endpoint that returns the order items of an order', expected: 'api-kebab-case' },
  { prompt: 'Hide the new checkout page behind a feature flag', expected: 'feature-flags' },
  { prompt: 'add some logging to the payment webhook handler', expected: 'logging-pino' },
  { prompt: 'Rename the users.fullname column to display_name in the database', expected: 'migrations-expand-contract' },
  { prompt: 'who is on call right now? I need to page someone', expected: 'oncall-pager' },
  { prompt: 'Style the settings form so it matches the rest of the app', expected: 'css-tailwind' },
  { prompt: 'Where do I get the Stripe API key for the staging environment?', expected: 'secrets-vault' },
  { prompt: 'Run the end-to-end browser tests for the login flow', expected: 'e2e-playwright' },
  { prompt: 'cache the product list in redis so the page loads faster', expected: 'cache-redis-ttl' },
  { prompt: 'checkout tests fail: StripeInvalidRequestError: Invalid API version 2024-06-20', expected: 'lesson-stripe-api-version' },
  { prompt: 'pnpm dev crashes with Error: listen EADDRINUSE: address already in use :::3000', expected: 'lesson-eaddrinuse' },
  { prompt: 'This change touches 1200 lines, should I open one pull request?', expected: 'pr-small' },
  { prompt: 'Explain how React hooks work, I only know backend code', expected: 'user-role' },
  { prompt: 'Roll back the staging deploy, the green stack is broken', expected: 'staging-blue-green' },
  { prompt: 'Add a migration that creates the invoices table', expected: 'migrations-expand-contract' },
  { prompt: 'Why does console.log not show up in production logs?', expected: 'logging-pino' },
  { prompt: 'set up playwright to screenshot the dashboard in e2e', expected: 'e2e-playwright' },
  { prompt: 'The redis instance ran out of memory, what filled it?', expected: 'cache-redis-ttl' },
  { prompt: 'mock the postgres client in the integration tests so they run faster', expected: 'integration-tests-real-db' },
  { prompt: 'Write a haiku about autumn leaves', expected: undefined },
  { prompt: 'What is the difference between a process and a thread?', expected: undefined },
  { prompt: 'Fix the typo in the README introduction', expected: undefined },
  { prompt: 'rename the variable tmp to buffer in utils/strings.ts', expected: undefined },
  { prompt: 'Convert this date to ISO 8601 for me: March 3rd 2026', expected: undefined },
  { prompt: 'Summarize the last three commits', expected: undefined },
  { prompt: 'How do I reverse a linked list in Python?', expected: undefined },
  { prompt: 'Translate the error message strings to German', expected: undefined },
  { prompt: 'Make the sidebar collapsible on small screens', expected: undefined },
  { prompt: 'What does the regex ^\\d{3}-\\d{4}$ match?', expected: undefined },
  { prompt: 'Add a dark mode toggle to the header component', expected: undefined },
  { prompt: 'Explain what a monad is in simple words', expected: undefined },
  { prompt: 'Sort the imports in src/app.ts alphabetically', expected: undefined },
  { prompt: 'thanks, that works now', expected: undefined },
  { prompt: 'Generate a UUID for the fixture file', expected: undefined },
  { prompt: 'Remove the unused lodash import from the cart component', expected: undefined },
  { prompt: 'How many lines of code does this repository have?', expected: undefined },
  { prompt: 'Write a unit test for the slugify function', expected: undefined },
  { prompt: 'Why is the build output so large? Check the bundle size', expected: undefined },
  { prompt: 'Draft a short changelog entry for version 2.3.0', expected: undefined },
  { prompt: 'Is it better to use map or forEach here?', expected: undefined },
  { prompt: 'Fix the flaky date test that fails around midnight', expected: undefined },
  { prompt: 'Update the copyright year in the footer', expected: undefined },
  { prompt: 'Add pagination to the search results page', expected: undefined },
];
