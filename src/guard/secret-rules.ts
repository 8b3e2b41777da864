import { looksRandom } from './entropy.js';

/**
 * One kind of secret, in the style of a gitleaks rule: patterns (global, with `d` for group
 * offsets), lowercase keywords that must occur in the text before the patterns run, and an
 * optional check of the captured value. The span redacted is the first of the named groups
 * `secret`, `dq`, `sq`, `bq`, `bare` that matched, else the whole match.
 *
 * Every pattern starts with a negative look-behind or a literal prefix, so a run of
 * candidate characters is tried from its first character only: matching stays linear on
 * adversarial input (a megabyte of base64, of `a`, of `password=`).
 */
export interface SecretRule {
  /** Also the placeholder label: `[REDACTED:<id>]`. */
  id: string;
  description: string;
  patterns: readonly RegExp[];
  /** For shapes a single regular expression cannot match in linear time: spans found by code. */
  find?: (text: string) => Array<{ start: number; end: number }>;
  keywords?: readonly string[];
  accept?: (secret: string, context: AcceptContext) => boolean;
  /**
   * Every offset where a match of the patterns can start (more is fine, none may be missing), in
   * ascending order: the patterns are then tried at those offsets only, with the same results as
   * a scan of the whole text, for a fraction of its cost.
   */
  starts?: (text: string) => number[];
}

const KEY_CHAR = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-') KEY_CHAR[char.charCodeAt(0)] = 1;
const isKeyChar = (code: number): boolean => code < 128 && KEY_CHAR[code] === 1;
const SEPARATOR_CHAR = /[:=]/g;

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isLowerHex = (code: number): boolean => isDigit(code) || (code >= 0x61 && code <= 0x66);
const isSchemeChar = (code: number): boolean =>
  isDigit(code) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x2b || code === 0x2e || code === 0x2d;

/**
 * Where a match can start for a rule whose match is a run of `runChar` characters right before
 * the literal `anchor`, and whose look-behind forbids a run character before the match: the
 * first character of that run, found by looking back from each `anchor`.
 */
function runStartsBefore(anchor: string, runChar: (code: number) => boolean): (text: string) => number[] {
  return (text) => {
    const starts: number[] = [];
    for (let at = text.indexOf(anchor); at >= 0; at = text.indexOf(anchor, at + 1)) {
      let start = at;
      while (start > 0 && runChar(text.charCodeAt(start - 1))) start -= 1;
      const last = starts[starts.length - 1];
      if (start < at && (last === undefined || start > last)) starts.push(start);
    }
    return starts;
  };
}

/**
 * Where a `KEY_START key ASSIGN value` match can start: a key is a whole run of key characters
 * (the look-behind forbids one before it, and what follows it, a quote, a blank or the separator,
 * is none), so every match starts at the first character of a run that ends at most one quote and
 * three blanks before a `:` or `=`. One pass over the separators, each looking back over its key.
 */
export function assignmentStarts(text: string): number[] {
  const starts: number[] = [];
  for (const separator of text.matchAll(SEPARATOR_CHAR)) {
    let at = separator.index - 1;
    let blanks = 0;
    while (at >= 0 && blanks < 4 && (text.charCodeAt(at) === 0x20 || text.charCodeAt(at) === 0x09)) {
      at -= 1;
      blanks += 1;
    }
    if (blanks > 3) continue;
    if (at >= 0 && (text.charCodeAt(at) === 0x22 || text.charCodeAt(at) === 0x27)) at -= 1;
    if (at < 0 || !isKeyChar(text.charCodeAt(at))) continue;
    while (at > 0 && isKeyChar(text.charCodeAt(at - 1))) at -= 1;
    const last = starts[starts.length - 1];
    if (last === undefined || at > last) starts.push(at);
    else if (at < last) {
      starts.push(at);
      starts.sort((a, b) => a - b);
    }
  }
  return starts;
}

export interface AcceptContext {
  text: string;
  /** Offset just past the secret. */
  end: number;
  groups: Record<string, string | undefined>;
}

/** Group names that carry the secret, in order of preference. */
export const SECRET_GROUPS = ['secret', 'dq', 'sq', 'bq', 'bare'] as const;

/** A value written as a reference, a template or a mask, not as the secret itself. */
export function isTemplateValue(value: string): boolean {
  const trimmed = value.trim();
  return (
    trimmed === '' ||
    /^\$[{(]?[A-Za-z_{(]/.test(trimmed) || // $VAR, ${VAR}, $(cmd), ${{ secrets.X }}
    /^%\(?[A-Za-z_]*\)?s$/.test(trimmed) || // %s, %(password)s
    /^\{\{.*\}\}$/.test(trimmed) || // {{ password }}
    /^\{[A-Za-z_][\w.-]*\}$/.test(trimmed) || // {password}
    /^<[^<>]*>$/.test(trimmed) || // <password>
    /^\[REDACTED(?::[a-z0-9-]+)?\]$/.test(trimmed) ||
    /^([*x•.#?_-])\1+$/i.test(trimmed) || // ****, xxxx, ...
    /^(?:null|nil|none|undefined|true|false|string|str|number|int|integer|bool|boolean|any|unknown|bytes|required|optional|empty)$/i.test(
      trimmed,
    )
  );
}

/** A value that is code reading the secret from elsewhere (`os.environ[...]`, `config.password`). */
export function isCodeReference(value: string): boolean {
  return (
    /[([{]/.test(value) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) || /^(?:process\.env|os\.environ|env|ENV)\b/.test(value)
  );
}

/** After `key: value` (YAML, prose), a bare value must end its line or its list item. */
function endsItsItem(context: AcceptContext): boolean {
  if (context.groups.bare === undefined) return true;
  const separator = context.groups.sep ?? '=';
  if (separator !== ':') return true;
  const rest = context.text.slice(context.end, context.end + 200);
  return /^[ \t]*(?:$|[\r\n,;})\]#]|\/\/)/.test(rest);
}

const VALUE = String.raw`(?:"(?<dq>[^"\n]{1,400})"|'(?<sq>[^'\n]{1,400})'|\x60(?<bq>[^\x60\n]{1,400})\x60|(?<bare>[^\s"'\x60,;&)}\]<>]{1,400}))`;
const ASSIGN = String.raw`["']?[ \t]{0,3}(?<sep>:=|=>|[:=])[ \t]{0,3}`;
const KEY_START = String.raw`(?<![A-Za-z0-9_.-])`;

const PASSWORD_KEY = String.raw`(?<key>(?:[A-Za-z0-9_.-]{0,40}?(?:password|passwd|passphrase|pwd)|(?:[A-Za-z0-9_.-]{0,40}[_.-])?pass)(?:[_.-]?(?:confirm|confirmation|hash|salt|[0-9]{1,2}))?)`;
const SECRET_KEY = String.raw`(?<key>[A-Za-z0-9_.-]{0,40}?(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|secret[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|auth[_.-]?key|client[_.-]?key|app[_.-]?key|license[_.-]?key|session[_.-]?key|account[_.-]?key|credentials?|auth|key|signature|salt))`;

/** `password` rule: any literal value given to a password-named key (see the JSDoc of judgeAssignment). */
function acceptPassword(value: string, context: AcceptContext): boolean {
  const key = context.groups.key ?? '';
  if (/pwd$/i.test(key) && /^[/~.]/.test(value)) return false; // PWD=/home/me is the working directory
  if (isTemplateValue(value)) return false;
  if (context.groups.bare !== undefined && isCodeReference(value)) return false;
  return endsItsItem(context);
}

/** `generic-secret` rule: a secret-named key whose value looks machine-generated. */
function acceptGeneric(value: string, context: AcceptContext): boolean {
  if (isTemplateValue(value) || isCodeReference(value)) return false;
  return looksRandom(value) && endsItsItem(context);
}

function notTemplate(value: string): boolean {
  return !isTemplateValue(value);
}

function decodesToUserPassword(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return /^[\x20-\x7e]{1,200}:[\x20-\x7e]{1,200}$/.test(decoded);
}

function randomWithDigit(value: string): boolean {
  return /\d/.test(value) && /[A-Za-z]/.test(value) && looksRandom(value);
}

const rx = (source: string, flags = 'dg'): RegExp => new RegExp(source, flags);

const KEY_BEGIN = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_END = /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g;
/** After a BEGIN line with no END line: the base64 lines and PEM headers that follow. */
const KEY_BODY =
  /(?:(?:\r?\n|\\n)(?:[A-Za-z0-9+/]{1,100}={0,2}(?=\r?\n|\\n|["',]|$)|(?:Proc-Type|DEK-Info|Comment|Version):[^\n\\]{0,100}|[ \t]{0,20}(?=\r?\n|\\n))){0,400}/y;
const KEY_MAX = 16_384;

/**
 * Private key blocks: BEGIN to the next END within 16 KB, else BEGIN and the base64 lines after
 * it. END lines are found once and looked up per BEGIN, so many BEGINs stay linear.
 */
function findPrivateKeys(text: string): Array<{ start: number; end: number }> {
  const ends = Array.from(text.matchAll(KEY_END), (match) => ({ start: match.index, end: match.index + match[0].length }));
  const spans: Array<{ start: number; end: number }> = [];
  let next = 0;
  for (const begin of text.matchAll(KEY_BEGIN)) {
    const headerEnd = begin.index + begin[0].length;
    while (next < ends.length && (ends[next]?.start ?? Infinity) < headerEnd) next += 1;
    const end = ends[next];
    if (end && end.start - headerEnd <= KEY_MAX) {
      spans.push({ start: begin.index, end: end.end });
      continue;
    }
    const body = new RegExp(KEY_BODY);
    body.lastIndex = headerEnd;
    const match = body.exec(text);
    spans.push({ start: begin.index, end: headerEnd + (match?.[0].length ?? 0) });
  }
  return spans;
}

/**
 * The rules, most specific first: when spans of two rules overlap they are redacted as one,
 * labelled with the earlier rule.
 */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    description:
      'PEM/OpenSSH/PGP private key block (also a GCP service-account key, in JSON with \\n escapes); a block cut off before its END line is redacted to the end of its base64',
    keywords: ['private key'],
    patterns: [],
    find: findPrivateKeys,
  },
  {
    id: 'jwt',
    description: 'JSON Web Token (header.payload.signature, base64url)',
    keywords: ['eyj'],
    patterns: [
      rx(String.raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,2048}(?![A-Za-z0-9_-])`),
    ],
  },
  {
    id: 'aws-access-key',
    description: 'AWS access key id (AKIA/ASIA/ABIA/ACCA/A3T + 16)',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])`)],
  },
  {
    id: 'aws-secret-key',
    description: 'AWS secret access key (40 base64 characters) assigned to an aws…secret/key name',
    keywords: ['aws'],
    patterns: [
      rx(
        String.raw`(?<![A-Za-z0-9])aws[A-Za-z0-9_.-]{0,30}?(?:secret|key)[A-Za-z0-9_.-]{0,30}?["']?[ \t]{0,3}(?:[:=]|=>|:=)[ \t]{0,3}["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
        'dgi',
      ),
    ],
  },
  {
    id: 'github-token',
    description: 'GitHub personal, OAuth, user-to-server, server-to-server and refresh tokens (ghp_, gho_, ghu_, ghs_, ghr_)',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])`)],
  },
  {
    id: 'github-fine-grained-token',
    description: 'GitHub fine-grained personal access token (github_pat_)',
    keywords: ['github_pat_'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])`)],
  },
  {
    id: 'gitlab-token',
    description:
      'GitLab tokens (glpat-, glptt-, gldt-, glrt-, glcbt-, gloas-, glft-, glimt-, glsoat-, glagent-) and runner registration tokens (GR1348941)',
    keywords: ['glpat-', 'glptt-', 'gldt-', 'glrt-', 'glcbt-', 'gloas-', 'glft-', 'glimt-', 'glsoat-', 'glagent-', 'glffct-', 'gr1348941'],
    patterns: [
      rx(
        String.raw`(?<![A-Za-z0-9_-])(?:gl(?:pat|ptt|dt|rt|cbt|oas|ft|imt|soat|agent|ffct)-|GR1348941)[A-Za-z0-9_-]{20,255}(?:\.[A-Za-z0-9_-]{1,64}){0,3}(?![A-Za-z0-9_-])`,
      ),
    ],
  },
  {
    id: 'slack-webhook',
    description: 'Slack incoming webhook or workflow trigger URL',
    keywords: ['hooks.slack.com'],
    patterns: [rx(String.raw`https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,300}`)],
  },
  {
    id: 'slack-token',
    description: 'Slack bot, user, app, config and refresh tokens (xoxb-, xoxp-, xoxa-, xoxe-, xapp-, …)',
    keywords: ['xox', 'xapp-'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9-])(?:xox[abposre](?:\.[a-z]{2,6})?-|xapp-[0-9]-)[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])`)],
  },
  {
    id: 'discord-webhook',
    description: 'Discord webhook URL',
    keywords: ['discord'],
    patterns: [rx(String.raw`https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{5,30}/[A-Za-z0-9_-]{20,200}`)],
  },
  {
    id: 'stripe-key',
    description: 'Stripe secret and restricted keys (sk_/rk_ live/test) and webhook secrets (whsec_)',
    keywords: ['sk_live', 'sk_test', 'sk_prod', 'rk_live', 'rk_test', 'rk_prod', 'whsec_'],
    patterns: [
      rx(String.raw`(?<![A-Za-z0-9_])(?:(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{24,64})(?![A-Za-z0-9_])`),
    ],
  },
  {
    id: 'anthropic-key',
    description: 'Anthropic API and admin keys (sk-ant-)',
    keywords: ['sk-ant-'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,300}(?![A-Za-z0-9_-])`)],
  },
  {
    id: 'openai-key',
    description: 'OpenAI API keys (sk-, sk-proj-, sk-svcacct-, sk-admin-); the rest must look random',
    keywords: ['sk-'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,300}(?![A-Za-z0-9_-])`)],
    // The label `sk-` alone is common in words (`task-`, `disk-`); the look-behind rules those out.
    accept: (value) => randomWithDigit(value.replace(/^sk-(?:proj-|svcacct-|admin-|None-)?/, '')),
  },
  {
    id: 'google-api-key',
    description: 'Google API key (AIza + 35)',
    keywords: ['aiza'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])`)],
  },
  {
    id: 'gcp-private-key-id',
    description: 'private_key_id of a GCP service-account key file',
    keywords: ['private_key_id'],
    patterns: [rx(String.raw`"private_key_id"\s{0,5}:\s{0,5}"(?<secret>[a-f0-9]{40})"`)],
  },
  {
    id: 'azure-storage-key',
    description: 'Azure storage account key, Service Bus / Event Hubs shared access key (in connection strings)',
    keywords: ['accountkey', 'sharedaccesskey'],
    patterns: [
      rx(String.raw`(?<![A-Za-z])(?:AccountKey|SharedAccessKey)[ \t]{0,3}=[ \t]{0,3}(?<secret>[A-Za-z0-9+/]{20,200}={0,2})`, 'dgi'),
    ],
  },
  {
    id: 'azure-sas-token',
    description: 'Azure shared access signature (sig= in a SAS URL or token)',
    keywords: ['sig='],
    patterns: [rx(String.raw`[?&;]sig=(?<secret>[A-Za-z0-9%+/]{30,200}(?:%3D|=){0,2})`, 'dgi')],
  },
  {
    id: 'azure-client-secret',
    description: 'Azure AD (Entra ID) application client secret',
    keywords: ['q~'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`)],
  },
  {
    id: 'npm-token',
    description: 'npm access token (npm_ + 36)',
    keywords: ['npm_'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])`)],
  },
  {
    id: 'pypi-token',
    description: 'PyPI and TestPyPI upload tokens (pypi-AgEIcHlwaS5vcmc…)',
    keywords: ['pypi-ageichlwas5vcmc', 'pypi-agendgvzdc5wexbplm9yzw'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_-])pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,500}(?![A-Za-z0-9_-])`)],
  },
  {
    id: 'twilio-api-key',
    description: 'Twilio API key (SK + 32 hex)',
    patterns: [rx(String.raw`(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])`)],
    accept: (value) => /[0-9]/.test(value.slice(2)) && /[a-fA-F]/.test(value.slice(2)),
  },
  {
    id: 'sendgrid-api-key',
    description: 'SendGrid API key (SG.xxx.yyy)',
    keywords: ['sg.'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])`)],
  },
  {
    id: 'mailchimp-api-key',
    description: 'Mailchimp API key (32 hex + -usN)',
    keywords: ['-us'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9])[0-9a-f]{32}-us[0-9]{1,2}(?![A-Za-z0-9])`)],
    starts: runStartsBefore('-us', isLowerHex),
  },
  {
    id: 'huggingface-token',
    description: 'Hugging Face access token (hf_ + 34 letters)',
    keywords: ['hf_'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9_])`)],
    accept: (value) => /[a-z]/.test(value.slice(3)) && /[A-Z]/.test(value.slice(3)),
  },
  {
    id: 'digitalocean-token',
    description: 'DigitalOcean personal, OAuth and refresh tokens (dop_v1_, doo_v1_, dor_v1_)',
    keywords: ['_v1_'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9_])`)],
  },
  {
    id: 'shopify-token',
    description: 'Shopify access, custom-app, private-app tokens and shared secrets',
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9_])`)],
  },
  {
    id: 'telegram-bot-token',
    description: 'Telegram bot token (bot id:35)',
    patterns: [rx(String.raw`(?:(?<=/bot)|(?<![A-Za-z0-9:_-]))[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])`)],
    starts: runStartsBefore(':AA', isDigit),
  },
  {
    id: 'hashicorp-token',
    description: 'HashiCorp Terraform Cloud / Enterprise API tokens (….atlasv1.…) and Vault tokens (hvs., hvb., hvr.)',
    keywords: ['atlasv1', 'hvs.', 'hvb.', 'hvr.'],
    patterns: [
      rx(String.raw`(?<![A-Za-z0-9_.-])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,100}(?![A-Za-z0-9_=-])`),
      rx(String.raw`(?<![A-Za-z0-9_.-])hv[sbr]\.[A-Za-z0-9_-]{24,255}(?![A-Za-z0-9_-])`),
    ],
  },
  {
    id: 'connection-string-password',
    description: 'password in a URL with credentials (postgres://user:pass@, mysql, mongodb+srv, redis, amqp, https, …)',
    keywords: ['://'],
    patterns: [
      rx(
        String.raw`(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:/@'"\x60<>]{0,256}:(?<secret>[^\s@/'"\x60<>]{1,256})@(?=[A-Za-z0-9\[._-])`,
      ),
    ],
    starts: runStartsBefore('://', isSchemeChar),
    accept: notTemplate,
  },
  {
    id: 'basic-auth',
    description: 'HTTP Basic credentials (base64 of user:password)',
    keywords: ['basic'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9])Basic[ \t]+(?<secret>[A-Za-z0-9+/]{8,4096}={0,2})(?![A-Za-z0-9+/=])`)],
    accept: decodesToUserPassword,
  },
  {
    id: 'bearer-token',
    description: 'Bearer token (Authorization header) that looks random',
    keywords: ['bearer', 'authorization'],
    patterns: [
      rx(
        String.raw`(?<![A-Za-z0-9])(?:[Bb]earer|BEARER|Authorization:[ \t]*[Tt]oken)[ \t]+(?<secret>[A-Za-z0-9._~+/-]{16,4096}=*)(?![A-Za-z0-9._~+/=-])`,
      ),
    ],
    accept: (value) => looksRandom(value),
  },
  {
    id: 'curl-user-password',
    description: 'password given on a command line as -u/--user user:password',
    keywords: ['-u', '--user'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_-])(?:-u|--user)[ \t]+["']?[^\s:"'$]{1,100}:(?<secret>[^\s"'@]{1,200})`)],
    accept: notTemplate,
  },
  {
    id: 'password-flag',
    description: 'password given on a command line as --password VALUE',
    keywords: ['--pass', '--pwd'],
    patterns: [rx(String.raw`(?<![A-Za-z0-9_-])--(?:password|passwd|pass|pwd)[ \t]+${VALUE}`, 'dgi')],
    accept: (value) => !isTemplateValue(value) && !value.startsWith('-'),
  },
  {
    id: 'password',
    description: 'literal value assigned to a password-named key (password=, DB_PASSWORD:, "passwd": …)',
    keywords: ['pass', 'pwd'],
    patterns: [rx(`${KEY_START}${PASSWORD_KEY}${ASSIGN}${VALUE}`, 'dgi')],
    starts: assignmentStarts,
    accept: acceptPassword,
  },
  {
    id: 'generic-secret',
    description: 'random-looking value assigned to a secret-named key (api_key=, SECRET_TOKEN=, "client_secret": …)',
    keywords: ['secret', 'token', 'key', 'credential', 'auth'],
    patterns: [rx(`${KEY_START}${SECRET_KEY}${ASSIGN}${VALUE}`, 'dgi')],
    starts: assignmentStarts,
    accept: acceptGeneric,
  },
];

const PASSWORD_NAME = /(?:password|passwd|passphrase|pwd|^pass$|[_.-]pass$)/i;
const SECRET_NAME =
  /(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|secret[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|auth[_.-]?key|client[_.-]?key|app[_.-]?key|license[_.-]?key|session[_.-]?key|account[_.-]?key|credentials?|auth|key|signature|salt)$/i;

/**
 * The rule an object property counts as, by its key and string value (for redactDeep):
 * `password` for any literal value of a password-named key, `generic-secret` for a
 * random-looking value of a secret-named key, else undefined.
 *
 * The deliberate choice: a literal given to a *password* name is a secret whatever it looks
 * like (`password=changeme` may be the real password, and redacting a placeholder costs
 * nothing), except references and masks (`$DB_PASSWORD`, `${{ secrets.X }}`, `<password>`,
 * `****`, `null`, `string`). Other secret-like names (`token`, `api_key`, `client_secret`) also
 * name harmless things in docs and code (`token: string`, `api_key=your-api-key-here`), so
 * their values are redacted only when they look random (see looksRandom).
 */
export function judgeAssignment(key: string, value: string): 'password' | 'generic-secret' | undefined {
  if (PASSWORD_NAME.test(key) && !/pwd$/i.test(key)) return isTemplateValue(value) ? undefined : 'password';
  if (/pwd$/i.test(key)) return isTemplateValue(value) || /^[/~.]/.test(value) ? undefined : 'password';
  if (SECRET_NAME.test(key)) return !isTemplateValue(value) && !isCodeReference(value) && looksRandom(value) ? 'generic-secret' : undefined;
  return undefined;
}
