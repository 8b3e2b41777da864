import type { RawFinding } from './finding.js';
import type { InjectionRule } from './injection-rules.js';
import { ACCEPTS, insideFencedCode, isActiveTurn } from './conversation-shape.js';

/*
 * Signals in the structure of a text rather than in its words: a conversation written into data
 * (turns of two parties inside a tool result, a JSON string or a CSV cell), text addressed to an
 * AI inside a code comment, and what untrusted code would do (post a credential file or the
 * environment to a host, fork without end, delete a system folder or the home folder).
 */

/** A line that opens a chat turn: at a line start, after an escaped `\n`, or after a quote. */
const ROLE_LINE = /(?:^|\n|\\n|["'])[ \t]*(?:#{1,6}[ \t]*)?\[?(user|human|assistant|ai|system|agent)\]?[ \t]*:[ \t]*(\S[^\n\\]{0,80})?/gi;

/**
 * A conversation inside data: a turn of the user (or human) and one of the assistant, AI or
 * system outside fenced code blocks. It is `high` when a turn is an act (asks for or reports an
 * action, or the assistant accepts something); an example conversation, whose turns are plain
 * questions and answers, is `medium` as text and `low` inside a string literal (a test fixture);
 * a lone assistant turn that accepts something is `medium`. Examples in documentation sit in code
 * blocks, and say `Bot:`; those pass.
 */
export function findFakeConversation(text: string): RawFinding[] {
  const users: RegExpExecArray[] = [];
  const others: RegExpExecArray[] = [];
  for (const match of text.matchAll(ROLE_LINE)) {
    if (insideFencedCode(text, match.index)) continue;
    const role = (match[1] ?? '').toLowerCase();
    (role === 'user' || role === 'human' ? users : others).push(match);
  }
  const findings: RawFinding[] = [];
  const finding = (match: RegExpExecArray, severity: 'low' | 'medium' | 'high', message: string): RawFinding => ({
    rule: 'fake-conversation',
    family: 'role-spoofing',
    severity,
    start: match.index,
    end: match.index + match[0].length,
    message,
  });
  if (users.length > 0 && others.length > 0) {
    const turns = [...users, ...others];
    const active = turns.some((match) => isActiveTurn(match[1] ?? '', match[2] ?? ''));
    // in a string literal each turn opens after a quote or an escaped newline
    const quoted = turns.every((match) => /^(?:\\n|["'])/.test(match[0]));
    const severity = active ? 'high' : quoted ? 'low' : 'medium';
    for (const match of turns)
      findings.push(finding(match, severity, 'writes a conversation between the user and the assistant into data'));
    return findings;
  }
  for (const match of others) {
    const role = (match[1] ?? '').toLowerCase();
    if ((role === 'assistant' || role === 'ai') && ACCEPTS.test(match[2] ?? '')) {
      findings.push(finding(match, 'medium', 'writes an assistant turn that accepts something into data'));
    }
  }
  return findings;
}

const g = (source: string, flags = 'gi'): RegExp => new RegExp(source, flags);

const AI_ADDRESSEE = String.raw`(?:ai|llms?|large\s+language\s+models?|language\s+models?|assistants?|copilot|agents?|claude|chatgpt|gemini|codex|cursor)`;

/** What reads a credential or the whole environment, in code or a shell line. */
const SECRET_SOURCE = String.raw`(?:\.ssh\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b|\.aws\b|\.npmrc\b|\.netrc\b|\.pgpass\b|\.git-credentials\b|\.kube\/config\b|\.docker\/config\.json|\.env\b(?![.\w])|\bprivate_?key\b|\bprivateKey\b|\bdict\(\s*os\.environ\s*\)|\bos\.environ\.items\(\)|=\s*os\.environ\s*[,)]|JSON\.stringify\(\s*process\.env\s*\)|\bprocess\.env\s*[,)}]|\blocalStorage\.getItem\(\s*["'](?:private|secret|token|key|seed|mnemonic))`;
/** What sends data to another host. */
const NETWORK_SEND = String.raw`(?:\b(?:requests|httpx|session|aiohttp|axios|got|superagent|client|http)\.(?:post|put|patch)\s*\(|\bfetch\s*\([^)]{0,300}?method\s*:\s*["'](?:POST|PUT|PATCH)|\burlopen\s*\([^)]{0,200}?data\s*=|\bhttps?\.request\s*\(|\.request\s*\(\s*\{[^}]{0,200}?method\s*:\s*["'](?:POST|PUT)|\bcurl\b[^\n]{0,200}?\s(?:-F|--form|-d|--data(?:-binary|-raw|-urlencode)?|-T|--upload-file|-X\s*(?:POST|PUT))\b|\bwget\b[^\n]{0,200}?--post-(?:file|data)|\b(?:scp|rsync)\b[^\n]{0,200}?\s[\w.-]+@[\w.-]+:|\b(?:nc|ncat|netcat)\s+[\w.-]+\s+\d{2,5}\b|\bsocket\.send|\bsmtplib\b|\bInvoke-(?:WebRequest|RestMethod)\b[^\n]{0,200}?-Method\s+(?:Post|Put))`;
const SECRET_SOURCE_RE = g(SECRET_SOURCE);
const NETWORK_SEND_RE = g(NETWORK_SEND);
/** How far apart (in characters) a read of a secret and a send may be to count as one act. */
const SEND_WINDOW = 600;

/** Code that reads a credential file or the environment and sends it to a host: one finding per send. */
export function findCredentialPosts(text: string): RawFinding[] {
  const sources = Array.from(text.matchAll(SECRET_SOURCE_RE), (match) => match.index);
  if (sources.length === 0) return [];
  const findings: RawFinding[] = [];
  let next = 0;
  for (const send of text.matchAll(NETWORK_SEND_RE)) {
    while (next < sources.length && (sources[next] ?? 0) < send.index - SEND_WINDOW) next += 1;
    const near = sources[next];
    if (near === undefined || Math.abs(near - send.index) > SEND_WINDOW) continue;
    findings.push({
      rule: 'credential-post',
      family: 'exfiltration',
      severity: 'high',
      start: Math.min(near, send.index),
      end: Math.max(near, send.index) + send[0].length,
      message: 'code that reads a credential file or the environment and sends it to another host',
    });
  }
  return findings;
}

/** Comments addressed to an AI, fork bombs, deletes of system folders: pattern rules. */
export const STRUCTURE_RULES: readonly InjectionRule[] = [
  {
    id: 'comment-addressed-to-ai',
    family: 'instruction-override',
    pattern: g(
      String.raw`(?:\/\/+|#+|\/\*+|^[ \t]*\*|--|<!--|;;)[ \t]*(?:(?:note|notice|message|instructions?|memo|reminder|warning|important)\s+(?:to|for)\s+|dear\s+|attention\s*[:,]?\s*|hey\s+|hi\s+|to\s+|for\s+)?(?:the\s+|any\s+|all\s+|every\s+|whichever\s+|whatever\s+)?${AI_ADDRESSEE}(?:\s+(?:code\s+)?(?:reviewers?|agents?|assistants?|models?|readers?|bots?|tools?))?(?:\s*[:,]|\s+(?:that|which|who)\s+\w+|\s+\w+(?:s|ing)\s+(?:this|these)\b)`,
      'gim',
    ),
    severity: 'medium',
    addressesAgent: true,
    message: 'a code comment addressed to an AI agent',
  },
  {
    id: 'process-bomb',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\b([A-Za-z_]\w{0,30})\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;?\s*\1\b` +
        String.raw`|%0\s*\|\s*%0` +
        String.raw`|\bfork\s+while\s+fork\b` +
        String.raw`|\bwhile\s*\(?\s*(?:True|true|1)\s*\)?\s*:?\s*\{?\s*(?:os\.)?fork\s*\(\s*\)` +
        String.raw`|\bfor\s*\(\s*;\s*;\s*\)\s*\{?\s*fork\s*\(\s*\)`,
    ),
    severity: 'high',
    message: 'forks processes without end (a fork bomb)',
  },
  {
    id: 'delete-system-folder',
    family: 'dangerous-command',
    command: true,
    pattern: g(
      String.raw`\b(?:shutil\.rmtree|fs(?:\.promises)?\.(?:rmSync|rm|rmdirSync|rmdir)|rimraf(?:\.sync)?|Remove-Item\b[^\n]{0,40}?-Recurse[^\n]{0,40}?)\s*\(?\s*` +
        String.raw`(?:r?["'](?:\/|\/\*|~\/?|\/(?:usr|etc|var|bin|sbin|lib|lib64|boot|home|root|opt|srv|sys|proc|dev|System|Library|Applications|Users)(?:\/[^"'\n]{0,40})?|[A-Za-z]:\\\\?(?:Windows[^"'\n]{0,30})?)["']` +
        String.raw`|os\.path\.expanduser\(\s*["']~\/?["']\s*\)|Path\.home\(\)|os\.homedir\(\)|os\.environ\[\s*["']HOME["']\s*\]|process\.env\.HOME\b)` +
        String.raw`|\bfind\s+(?:\/|~|\$HOME)\s+(?:[^\n;|&]{0,80}?\s)?(?:-delete\b|-exec\s+rm\b)`,
    ),
    severity: 'high',
    message: 'deletes a system folder, the home folder or the whole file system',
  },
];

/** Every structural finding of `text`. */
export function findStructuralSignals(text: string): RawFinding[] {
  return [...findFakeConversation(text), ...findCredentialPosts(text)];
}
