import { describe, expect, it } from 'vitest';
import { findSecrets, redactDeep, redactSecrets } from './redact-secrets.js';

/*
 * Every secret here is built at run time from a seeded generator, so the repository holds no
 * string a secret scanner would flag (and none of them was ever a real credential).
 */
const ALPHABETS = {
  upper27: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  hex: '0123456789abcdef',
  letters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
};

function fake(alphabet: keyof typeof ALPHABETS, length: number, seed = length): string {
  // mulberry32: small, seeded, good enough to look random
  const chars = ALPHABETS[alphabet];
  let state = (seed * 0x9e3779b9) >>> 0;
  let out = '';
  for (let index = 0; index < length; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    out += chars[((t ^ (t >>> 14)) >>> 0) % chars.length];
  }
  return out;
}

const pem = (label: string): string =>
  [`-----BEGIN ${label}-----`, fake('b64', 64, 1), fake('b64', 64, 2), fake('b64', 40, 3) + '==', `-----END ${label}-----`].join('\n');

/** [rule, text, the secret that must disappear] */
const SECRET_CASES: Array<[string, string, string]> = (() => {
  const cases: Array<[string, string, string]> = [];
  const add = (rule: string, build: (secret: string) => string, secret: string): void => {
    cases.push([rule, build(secret), secret]);
  };
  add('aws-access-key', (s) => `aws_access_key_id = ${s}`, 'AKIA' + fake('upper27', 16));
  add('aws-access-key', (s) => `"AccessKeyId": "${s}",`, 'ASIA' + fake('upper27', 16, 7));
  add('aws-secret-key', (s) => `aws_secret_access_key = ${s}`, fake('b64', 40));
  for (const prefix of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'])
    add(
      'github-token',
      (s) => `git clone https://x-access-token:${s}@github.com/acme/app`,
      prefix + fake('alnum', 36, prefix.length + prefix.charCodeAt(2)),
    );
  add('github-fine-grained-token', (s) => `GH_TOKEN=${s}`, 'github_pat_' + fake('alnum', 22) + '_' + fake('alnum', 59));
  add('gitlab-token', (s) => `PRIVATE-TOKEN: ${s}`, 'glpat-' + fake('url', 20));
  add('slack-token', (s) => `SLACK_BOT_TOKEN=${s}`, `xoxb-${fake('digits', 12)}-${fake('digits', 13)}-${fake('alnum', 24)}`);
  add(
    'slack-webhook',
    (s) => `curl -X POST ${s} -d '{"text":"hi"}'`,
    `https://hooks.slack.com/services/T${fake('upper27', 8)}/B${fake('upper27', 10)}/${fake('alnum', 24)}`,
  );
  add('discord-webhook', (s) => `webhook: ${s}`, `https://discord.com/api/webhooks/${fake('digits', 18)}/${fake('url', 68)}`);
  add('stripe-key', (s) => `stripe.api_key = "${s}"`, 'sk_live_' + fake('alnum', 24));
  add('stripe-key', (s) => `STRIPE_WEBHOOK_SECRET=${s}`, 'whsec_' + fake('alnum', 32));
  add('openai-key', (s) => `OPENAI_API_KEY=${s}`, 'sk-proj-' + fake('url', 48));
  add('openai-key', (s) => `client = OpenAI(api_key="${s}")`, 'sk-' + fake('alnum', 48));
  add('anthropic-key', (s) => `x-api-key: ${s}`, 'sk-ant-api03-' + fake('url', 93) + 'AA');
  add('google-api-key', (s) => `https://maps.googleapis.com/maps/api/geocode/json?key=${s}`, 'AIza' + fake('url', 35));
  add('private-key', (s) => `id_rsa contents:\n${s}\n`, pem('RSA PRIVATE KEY'));
  add('private-key', (s) => `${s}\n`, pem('OPENSSH PRIVATE KEY'));
  add('private-key', (s) => `{"type": "service_account", "private_key": "${s}"}`, pem('PRIVATE KEY').replace(/\n/g, '\\n'));
  add('gcp-private-key-id', (s) => `{"type": "service_account", "private_key_id": "${s}"}`, fake('hex', 40));
  add(
    'azure-storage-key',
    (s) => `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${s};EndpointSuffix=core.windows.net`,
    fake('b64', 86) + '==',
  );
  add('azure-sas-token', (s) => `https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&sig=${s}`, fake('alnum', 43) + '%3D');
  add('azure-client-secret', (s) => `AZURE_CLIENT_SECRET=${s}`, fake('alnum', 3) + '8Q~' + fake('url', 34));
  add('npm-token', (s) => `//registry.npmjs.org/:_authToken=${s}`, 'npm_' + fake('alnum', 36));
  add('pypi-token', (s) => `password = ${s}`, 'pypi-AgEIcHlwaS5vcmc' + fake('url', 70));
  add('twilio-api-key', (s) => `TWILIO_API_KEY=${s}`, 'SK' + fake('hex', 32));
  add('sendgrid-api-key', (s) => `SENDGRID_API_KEY=${s}`, `SG.${fake('url', 22)}.${fake('url', 43)}`);
  add('mailchimp-api-key', (s) => `apikey ${s}`, fake('hex', 32) + '-us21');
  add('huggingface-token', (s) => `huggingface-cli login --token ${s}`, 'hf_' + fake('letters', 34));
  add('digitalocean-token', (s) => `doctl auth init -t ${s}`, 'dop_v1_' + fake('hex', 64));
  add('shopify-token', (s) => `X-Shopify-Access-Token: ${s}`, 'shpat_' + fake('hex', 32));
  add('telegram-bot-token', (s) => `https://api.telegram.org/bot${s}/getMe`, `${fake('digits', 10)}:AA${fake('url', 33)}`);
  add('connection-string-password', (s) => `DATABASE_URL=postgres://app:${s}@db.internal:5432/app`, fake('alnum', 18));
  add('connection-string-password', (s) => `mysql://root:${s}@127.0.0.1:3306/shop`, 'Tr0ub4dor&3');
  add('connection-string-password', (s) => `MONGO_URI="mongodb+srv://svc:${s}@cluster0.abcde.mongodb.net/db"`, fake('alnum', 20));
  add('connection-string-password', (s) => `redis://default:${s}@cache:6379/0`, fake('alnum', 16));
  add('connection-string-password', (s) => `amqp://guest:${s}@rabbit:5672/`, 'n0t-guest!');
  add('jwt', (s) => `token=${s}`, `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${fake('url', 40)}.${fake('url', 43)}`);
  add('bearer-token', (s) => `curl -H "Authorization: Bearer ${s}" https://api.example.com`, fake('alnum', 40));
  add('basic-auth', (s) => `Authorization: Basic ${s}`, Buffer.from(`admin:${fake('alnum', 14)}`).toString('base64'));
  add('curl-user-password', (s) => `curl -u deploy:${s} https://ci.example.com/api`, fake('alnum', 16));
  add('password-flag', (s) => `mysqldump --password ${s} shop > dump.sql`, fake('alnum', 12));
  add('password', (s) => `password=${s}`, 'changeme');
  add('password', (s) => `DB_PASSWORD: ${s}`, 'hunter2');
  add('password', (s) => `{"username": "admin", "password": "${s}"}`, 'correct horse battery staple');
  add('password', (s) => `SMTP_PASS='${s}'`, fake('alnum', 10));
  add('generic-secret', (s) => `SECRET_TOKEN=${s}`, fake('alnum', 32));
  add('generic-secret', (s) => `"client_secret": "${s}"`, fake('url', 40));
  add('generic-secret', (s) => `api_key: ${s}`, fake('hex', 32));
  return cases;
})();

describe('redactSecrets', () => {
  it.each(SECRET_CASES)('replaces a %s by a typed placeholder (%#)', (rule, text, secret) => {
    const result = redactSecrets(text);
    expect(result.text).not.toContain(secret);
    expect(result.text).toContain(`[REDACTED:${rule}]`);
    expect(result.redactions.map((redaction) => redaction.rule)).toContain(rule);
  });

  it('reports each redaction as a span of the input that covers the secret', () => {
    for (const [, text, secret] of SECRET_CASES) {
      const start = text.indexOf(secret);
      const { redactions } = redactSecrets(text);
      const covering = redactions.find((redaction) => redaction.start <= start && redaction.end >= start + secret.length);
      expect(covering, text).toBeDefined();
    }
  });

  it('keeps the text around a secret as it was', () => {
    const key = 'AKIA' + fake('upper27', 16, 3);
    const result = redactSecrets(`before ${key} after`);
    expect(result.text).toBe('before [REDACTED:aws-access-key] after');
    expect(result.redactions).toEqual([{ rule: 'aws-access-key', start: 7, end: 27 }]);
  });

  it('changes nothing when run on its own output', () => {
    const all = SECRET_CASES.map(([, text]) => text).join('\n');
    const once = redactSecrets(all);
    const twice = redactSecrets(once.text);
    expect(twice.text).toBe(once.text);
    expect(twice.redactions).toEqual([]);
    expect(findSecrets(once.text)).toEqual([]);
  });

  it.each([
    'Deploy with npm run deploy:check; the staging box is blue-green.',
    'api_key=your-api-key-here',
    'token: string',
    'password: the user chooses one on first login',
    'DB_PASSWORD=${DB_PASSWORD}',
    'password: "{{ vault_db_password }}"',
    'POSTGRES_PASSWORD: ${{ secrets.POSTGRES_PASSWORD }}',
    'postgres://app:${PGPASSWORD}@localhost/app',
    'password = os.environ["DB_PASSWORD"]',
    'PWD=/home/dev/project',
    'max_tokens=4096',
    'secretName: db-credentials',
    'commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 fixed the flaky test',
    'sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'the task-management-overview-2024-final doc',
    'curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com/user',
    'Use Basic Authentication for the admin endpoint.',
    'git@github.com:acme/app.git',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactSecrets(text)).toEqual({ text, redactions: [] });
  });

  it('redacts a private key whose END line was cut off, up to the end of its base64', () => {
    const text = `-----BEGIN RSA PRIVATE KEY-----\n${fake('b64', 64, 9)}\n${fake('b64', 64, 10)}\nThe rest of the log follows.`;
    expect(redactSecrets(text).text).toBe('[REDACTED:private-key]\nThe rest of the log follows.');
  });

  it('does linear work on a megabyte of hostile shapes: 4× the input costs under 8× the counted steps', () => {
    const secret = 'ghp_' + fake('alnum', 36, 11);
    const shapes: Record<string, (size: number) => string> = {
      notes: (size) => repeatTo(`Notes about the deploy. password=${fake('alnum', 12)} and ${secret}.\n`, size),
      'one letter': (size) => 'a'.repeat(size),
      'password=': (size) => repeatTo('password=', size),
      'key headers': (size) => repeatTo('-----BEGIN PRIVATE KEY-----\n', size),
      base64: (size) => fake('b64', size, 5),
      'secret: values': (size) => repeatTo(`api_key: ${fake('alnum', 24, 3)}\n`, size),
    };
    for (const [name, shape] of Object.entries(shapes)) {
      const small = { steps: 0 };
      const large = { steps: 0 };
      redactSecrets(shape(1 << 18), { meter: small });
      const result = redactSecrets(shape(1 << 20), { meter: large });
      expect(result.text, name).not.toContain(secret);
      expect(small.steps, name).toBeGreaterThan(1 << 18);
      expect(large.steps / small.steps, name).toBeLessThan(8);
    }
  });
});

describe('redactDeep', () => {
  it('redacts strings anywhere in objects and arrays and says where', () => {
    const token = 'ghp_' + fake('alnum', 36, 21);
    const input = { kind: 'command', run: `gh auth login --with-token ${token}`, expect: { exit: 0 }, list: ['plain', `x ${token}`] };
    const { value, redactions } = redactDeep(input);
    expect(value).toEqual({
      kind: 'command',
      run: 'gh auth login --with-token [REDACTED:github-token]',
      expect: { exit: 0 },
      list: ['plain', 'x [REDACTED:github-token]'],
    });
    expect(redactions.map((redaction) => redaction.path)).toEqual(['run', 'list[1]']);
    expect(input.run).toContain(token);
  });

  it('judges a property by its key: any literal password, random-looking secrets', () => {
    const { value } = redactDeep({ password: 'hunter2', apiKey: fake('alnum', 32), token: 'string', db: { passwd: '${DB_PASS}' } });
    expect(value).toEqual({
      password: '[REDACTED:password]',
      apiKey: '[REDACTED:generic-secret]',
      token: 'string',
      db: { passwd: '${DB_PASS}' },
    });
    expect(redactDeep(value).redactions).toEqual([]);
  });

  it('keeps numbers, dates and cycles as they are', () => {
    const when = new Date(0);
    const cyclic: Record<string, unknown> = { n: 1, when };
    cyclic.self = cyclic;
    const { value } = redactDeep(cyclic);
    expect(value.n).toBe(1);
    expect(value.when).toBe(when);
    expect(value.self).toBe(value);
  });
});

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}
