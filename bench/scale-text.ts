/*
 * Realistic, varied, seeded text for the scale bench: topics that read like an engineering team's
 * memory (components, commands, errors, decisions), with a long tail of made-up identifiers so
 * that every size has rare words as well as common ones.
 */
import { syntheticVocabulary } from './bench-utils.js';

const COMPONENTS = [
  'staging',
  'deploy',
  'billing',
  'auth',
  'login',
  'session',
  'cache',
  'redis',
  'postgres',
  'migration',
  'queue',
  'worker',
  'scheduler',
  'webhook',
  'gateway',
  'router',
  'frontend',
  'backend',
  'dashboard',
  'search',
  'index',
  'metrics',
  'tracing',
  'logging',
  'alerting',
  'pipeline',
  'build',
  'release',
  'docker',
  'kubernetes',
  'helm',
  'terraform',
  'bucket',
  'cdn',
  'email',
  'invoice',
  'payment',
  'checkout',
  'cart',
  'inventory',
  'profile',
  'settings',
  'onboarding',
  'export',
  'import',
  'report',
  'analytics',
  'feature-flag',
  'rate-limit',
  'retry',
  'timeout',
  'backup',
  'restore',
  'replica',
  'shard',
  'tenant',
];
const VERBS = [
  'runs',
  'fails',
  'needs',
  'uses',
  'calls',
  'retries',
  'caches',
  'writes',
  'reads',
  'blocks',
  'skips',
  'times out',
  'returns',
  'rejects',
  'logs',
  'emits',
  'validates',
  'migrates',
  'rotates',
  'pins',
  'bumps',
  'restarts',
  'drains',
  'locks',
  'loads',
];
const OBJECTS = [
  'the config file',
  'the lock file',
  'a fresh token',
  'the old schema',
  'the health check',
  'every request',
  'the nightly job',
  'the connection pool',
  'the CI cache',
  'the API key',
  'the preview build',
  'the blue-green switch',
  'the canary',
  'the test suite',
  'the env var',
  'the container image',
  'the read replica',
  'the retry budget',
  'the error budget',
  'the webhook secret',
];
const COMMANDS = [
  'npm run deploy:check',
  'npm test',
  'make migrate',
  'kubectl rollout status',
  'terraform plan',
  'pnpm build',
  'pytest -x',
  'cargo test',
];
const ERRORS = [
  'ECONNREFUSED 127.0.0.1:5432',
  'TypeError: Cannot read properties of undefined',
  'ETIMEDOUT',
  'OOMKilled',
  'permission denied',
  'relation does not exist',
  'certificate has expired',
  '429 Too Many Requests',
  'module not found',
  'deadlock detected',
];
const TYPES = ['project', 'feedback', 'reference', 'user', 'lesson', 'project', 'project', 'reference'] as const;
export type BenchTopicType = (typeof TYPES)[number];

export interface BenchTopic {
  name: string;
  description: string;
  type: BenchTopicType;
  tags: string[];
  body: string;
}

/** Seeded text: topics and the queries an agent would ask about them. */
export class ScaleText {
  private readonly random: () => number;
  private readonly rare: string[];

  constructor(random: () => number, rareWords = 20_000) {
    this.random = random;
    this.rare = syntheticVocabulary(rareWords, random);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  /** Zipf-like: low indexes much more often than high ones. */
  private zipf<T>(items: readonly T[]): T {
    return items[Math.floor(items.length * this.random() ** 2.2)] as T;
  }

  private identifier(): string {
    return this.zipf(this.rare);
  }

  private sentence(): string {
    const shapes = [
      () => `The ${this.zipf(COMPONENTS)} service ${this.pick(VERBS)} ${this.pick(OBJECTS)} before ${this.identifier()} starts.`,
      () => `Run \`${this.pick(COMMANDS)}\` after changing ${this.identifier()}; it ${this.pick(VERBS)} ${this.pick(OBJECTS)}.`,
      () => `When ${this.zipf(COMPONENTS)} shows "${this.pick(ERRORS)}", check ${this.identifier()} and ${this.pick(OBJECTS)}.`,
      () =>
        `${this.identifier()} ${this.pick(VERBS)} ${this.zipf(COMPONENTS)} data through ${this.identifier()} in ${this.zipf(COMPONENTS)}.`,
      () =>
        `We decided to keep ${this.zipf(COMPONENTS)} on ${this.identifier()} because ${this.pick(OBJECTS)} ${this.pick(VERBS)} too often.`,
    ];
    return this.pick(shapes)();
  }

  topic(index: number): BenchTopic {
    const component = this.zipf(COMPONENTS);
    const subject = this.identifier();
    const type = TYPES[index % TYPES.length] as BenchTopicType;
    const sentences = Array.from({ length: 2 + Math.floor(this.random() * 4) }, () => this.sentence());
    return {
      name: `${component} ${subject} ${this.identifier()} ${index}`,
      description: `${this.sentence().replace(/\.$/, '')} (${this.zipf(COMPONENTS)})`.slice(0, 140),
      type,
      tags: [component, this.zipf(COMPONENTS), subject].filter((tag, at, all) => all.indexOf(tag) === at),
      body: `${sentences.join(' ')}\n\n**Why:** ${this.sentence()}\n**How to apply:** ${this.sentence()}`,
    };
  }

  /** A query: two or three words from a known topic, sometimes with a common component word. */
  query(topics: readonly BenchTopic[]): string {
    const topic = this.pick(topics);
    const words = `${topic.name} ${topic.body}`
      .split(/[^A-Za-z-]+/)
      .filter((word) => word.length > 3 && !/^(the|when|with|after|before|because|through|check|apply|why|how)$/i.test(word));
    const chosen = Array.from({ length: 2 + Math.floor(this.random() * 2) }, () => this.pick(words));
    if (this.random() < 0.3) chosen.push(this.zipf(COMPONENTS));
    return chosen.join(' ');
  }

  /** One conversation turn for the transcripts. */
  turn(): string {
    return `${this.sentence()} ${this.random() < 0.5 ? this.sentence() : ''}`.trim();
  }
}
