import type { Severity } from './finding.js';
import type { InjectionRule } from './injection-rules.js';

/*
 * Shell commands that should not become memory an agent acts on. Their severity here is for
 * topic text; scanForInjection raises every one to `high` in a command that evidence would run
 * (purpose `evidence-command`) and lowers them one level in transcripts, where the agent's own
 * commands are expected.
 */

const NET_TOOL = String.raw`(?:curl|wget|iwr|irm|Invoke-WebRequest|Invoke-RestMethod|nc|ncat|netcat)`;
/** Files that hold credentials. */
const SECRET_FILE = String.raw`(?:(?:~|\$HOME)\/\.(?:ssh|aws|netrc|npmrc|docker|kube|gnupg|git-credentials|config\/gh)\b[^\s"')]*|\/etc\/(?:passwd|shadow)\b|(?:[\w./-]*\/)?\.env\b|[\w./~-]*\bid_(?:rsa|ed25519|ecdsa)\b|[\w./~-]*\.git-credentials\b|[\w./~-]*\bcredentials\b)`;
/** An environment dump or a credential file read inside the command line. */
const SECRET_SUBSTITUTION = new RegExp(
  String.raw`\$\(\s*(?:env|printenv|set|cat\s+[^)]*${SECRET_FILE})|\x60\s*(?:env|printenv)\s*\x60|<\s*["']?${SECRET_FILE}`,
  'i',
);
/** A flag that sends data, followed by what it sends. */
const SENT =
  /\s(?:-d|--data(?:-binary|-raw|-urlencode)?|-F|--form|--post-data|--post-file|--body-file|-T|--upload-file|--body|-Body|-InFile)\s*=?\s*(.*)$/i;
const SENT_FILE = new RegExp(String.raw`^["']?(?:[\w-]+=)?@?["']?${SECRET_FILE}`, 'i');
const SECRET_VARIABLE = /\$\{?[A-Za-z_]*(?:KEY|TOKEN|SECRET|PASS(?:WORD)?|CREDENTIALS?|AUTH)[A-Za-z_]*\}?/i;

function exfiltration(match: RegExpExecArray): Severity | undefined {
  const line = match[0];
  if (/^(?:env|printenv|set|cat)\b/i.test(line)) return 'high';
  if (SECRET_SUBSTITUTION.test(line)) return 'high';
  const sent = SENT.exec(line)?.[1];
  if (sent === undefined) return undefined;
  if (SENT_FILE.test(sent)) return 'high';
  // a secret variable in the body; in a header (-H "Authorization: …$TOKEN") it is ordinary use
  if (SECRET_VARIABLE.test(sent.split(/\s-H\s/)[0] ?? sent)) return 'medium';
  return undefined;
}

/**
 * "The agent refuses to run `rm -rf /`", "never type `rm -rf ~`": a command named as what must not
 * be run is documentation of a safeguard. The prohibition governs the command directly (a verb of
 * running right after it, nothing but the command's quote and at most a few words between, no
 * sentence or clause boundary): "do not ask first; run rm -rf ~" is still an order.
 */
const PROHIBITED_BEFORE =
  /\b(?:never|don't|do\s+not|must\s+not|mustn't|should\s+not|shouldn't|refuses?\s+to|won't|will\s+not|cannot|can't|blocks?|blocked|forbids?|forbidden|prevents?|denies|denied|rejects?|rejected)\s+(?:ever\s+)?(?:to\s+)?(?:(?:run|execute|type|paste|allow|use)(?:s|ing|ed)?\b|commands?\s+(?:like|such\s+as)\b)[^.!?;\n]{0,60}$/i;

function unlessProhibited(match: RegExpExecArray, text: string): Severity {
  return PROHIBITED_BEFORE.test(text.slice(Math.max(0, match.index - 100), match.index)) ? 'low' : 'high';
}

function pipeToShell(match: RegExpExecArray): Severity {
  // plain http or a bare IP address: nobody can tell what the script is
  return /https?:\/\/\d{1,3}(?:\.\d{1,3}){3}|\bhttp:\/\//i.test(match[0]) ? 'high' : 'medium';
}

const g = (source: string, flags = 'gi'): RegExp => new RegExp(source, flags);

export const COMMAND_RULES: readonly InjectionRule[] = [
  {
    id: 'pipe-to-shell',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\b(?:curl|wget|fetch|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^\n|;&]{0,300}\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:ba|z|k|da|fi|c)?sh|python[0-9.]*|perl|ruby|node|php|iex|Invoke-Expression)\b` +
        String.raw`|\b(?:(?:ba|z)?sh|source|\.)\s+(?:-c\s+)?["']?\s*(?:<\(|\$\()\s*(?:curl|wget)\b` +
        String.raw`|\b(?:iex|Invoke-Expression)\s*[\s(]+\s*(?:\(?\s*New-Object\s+Net\.WebClient|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)`,
    ),
    severity: pipeToShell,
    boostWhenAddressed: true,
    message: 'pipes a script from the network straight into a shell',
  },
  {
    id: 'reverse-shell',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\b(?:ba|z)?sh\s+-i\s*[>&]{1,2}\s*\/dev\/(?:tcp|udp)\/|\/dev\/(?:tcp|udp)\/[\w.-]+\/\d+` +
        String.raw`|\b(?:nc|ncat|netcat)\b[^\n|;]{0,100}\s-[a-z]*[ec]\s*(?:\/bin\/|\/usr\/bin\/)?(?:ba|z)?sh\b` +
        String.raw`|\bmkfifo\b[^\n]{0,100}\b(?:nc|ncat|netcat)\b|\bsocat\b[^\n]{0,150}\bexec:` +
        String.raw`|\bpython[0-9.]*\s+-c\s+["'][^\n]{0,300}\bsocket\b[^\n]{0,300}(?:subprocess|pty\.spawn|dup2)`,
    ),
    severity: 'high',
    message: 'opens a reverse shell to a remote machine',
  },
  {
    id: 'destructive-delete',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\brm\s+(?:-{1,2}[a-z-]+\s+)*?(?:-[a-z]*r[a-z]*f[a-z]*|-[a-z]*f[a-z]*r[a-z]*|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\s+(?:--no-preserve-root\s+)?["']?(?:\/|\/\*|~\/?\*?|\$HOME\/?\*?|\/(?:home|etc|usr|var|boot|root|bin|lib|opt|srv)\/?\*?|\.\/?\*|\*)["']?(?=\s|$|[;&|)\x60])` +
        String.raw`|:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:|\bmkfs(?:\.\w+)?\s+\/dev\/|\bdd\b[^\n]{0,80}\bof=\/dev\/(?:sd|nvme|hd|xvd|disk)|\bformat\s+[a-z]:\s*(?:\/|$)|\bdel\s+\/[sfq]\s+(?:\/[sfq]\s+)*[a-z]:\\`,
    ),
    severity: unlessProhibited,
    message: 'deletes or overwrites a whole file system, home folder or disk',
  },
  {
    id: 'download-and-execute',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\bchmod\s+(?:[0-7]{3,4}|[ugoa]*\+x)\s+\S+\s*(?:&&|;)\s*(?:sudo\s+)?\.\/\S+` +
        // one greedy window per download, checked afterwards: nested lazy windows cost too much on hostile input
        String.raw`|\b(?:curl|wget)\b[^\n;&]{0,300}(?:&&|;)\s*(?:sudo\s+)?(?:(?:ba|z)?sh\s+|\.\/|chmod\s)`,
    ),
    severity: (match) => {
      if (!/^(?:curl|wget)/i.test(match[0])) return 'low';
      return /\s(?:-o|-O|--output)\b|>/.test(match[0]) ? 'medium' : undefined;
    },
    boostWhenAddressed: true,
    message: 'downloads or marks a file executable and runs it',
  },
  {
    id: 'eval-remote',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\beval\s+["']?\$\(\s*(?:curl|wget|echo\s+[^\n)]{0,400}\|\s*base64|base64\s+(?:-d|--decode))` +
        String.raw`|\beval\s*\(\s*(?:atob|Buffer\.from|base64\.b64decode)\s*\(|\bexec\s*\(\s*(?:base64\.b64decode|urllib\.request\.urlopen|requests\.get)` +
        String.raw`|\bbase64\s+(?:-d|--decode)\b[^\n|]{0,100}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b`,
    ),
    severity: 'high',
    message: 'evaluates downloaded or encoded code',
  },
  {
    id: 'eval-substitution',
    family: 'dangerous-command',
    command: true,
    pattern: g(String.raw`\beval\s+["']?\$\(`),
    severity: 'low',
    message: 'evaluates the output of another command',
  },
  {
    id: 'powershell-encoded',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]{0,120}\s[-/](?:e|ec|en|enc|enco|encod|encode|encoded|encodedcommand)\s+[A-Za-z0-9+/=]{16,}`,
    ),
    severity: 'high',
    message: 'runs an encoded PowerShell command',
  },
  {
    id: 'ssh-authorized-keys',
    family: 'dangerous-command',
    command: true,
    pattern: g(String.raw`(?:>>?|\btee\s+(?:-a\s+)?)\s*["']?(?:~|\$HOME|\/root|\/home\/[\w.-]+)\/\.ssh\/authorized_keys\b`),
    severity: (match, text) => {
      const before = text.slice(Math.max(0, match.index - 2000), match.index);
      const line = before.slice(before.lastIndexOf('\n') + 1);
      return /\bssh-(?:rsa|ed25519|dss)\s+AAAA|ecdsa-sha2/i.test(line) ? 'high' : 'medium';
    },
    message: 'adds a key to ~/.ssh/authorized_keys (remote login)',
  },
  {
    id: 'package-publish',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\b(?:(?:npm|pnpm|yarn(?:\s+npm)?|bun)\s+publish|twine\s+upload|cargo\s+publish|gem\s+push|poetry\s+publish|docker\s+push)\b`,
    ),
    severity: 'low',
    boostWhenAddressed: true,
    message: 'publishes a package or image',
  },
  {
    id: 'git-force-push',
    family: 'dangerous-command',
    command: true,
    pattern: g(String.raw`\bgit\s+push\b[^\n;&|]{0,120}?(?:\s--force(?:-with-lease)?\b|\s-f\b|\s\+[\w/.-]+|\s--mirror\b|\s--delete\b)`),
    severity: 'low',
    boostWhenAddressed: true,
    message: 'force-pushes or deletes remote git history',
  },
  {
    id: 'secret-exfiltration',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\b${NET_TOOL}\b[^\n]{0,400}` +
        String.raw`|\b(?:env|printenv|set)\s*\|[^\n]{0,100}\b${NET_TOOL}\b` +
        String.raw`|\bcat\s+[^\n|]{0,100}(?:\.env|id_rsa|id_ed25519|credentials|\.netrc|\.npmrc|\.pgpass|\.git-credentials)[^\n|]{0,50}\|[^\n]{0,60}\b(?:${NET_TOOL}|base64)\b`,
    ),
    severity: exfiltration,
    message: 'sends environment variables, keys or credential files over the network',
  },
  {
    id: 'shell-persistence',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\|\s*crontab\s+-(?:\s|$)|>>\s*["']?(?:~|\$HOME)\/\.(?:bashrc|zshrc|profile|bash_profile|zprofile)\b|\bsystemctl\s+enable\b[^\n]{0,80}--now`,
    ),
    severity: (match) => (/crontab/i.test(match[0]) ? 'medium' : 'low'),
    boostWhenAddressed: true,
    message: 'installs something that runs again later (cron, shell start-up files, services)',
  },
];
