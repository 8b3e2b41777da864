import type { RawFinding, Severity } from './finding.js';

/*
 * URLs that carry data out. A markdown image or an <img> loads by itself when the text is
 * rendered, so an image URL with a template placeholder (`?q={conversation}`) or with encoded
 * text in a parameter is the zero-click exfiltration channel; a link needs a click; a bare URL
 * only matters when its placeholder names what an agent holds (conversation, secrets, memory).
 * API docs are full of `{id}` and `{API key}` placeholders in plain links, so those pass.
 */

type Carrier = 'image' | 'link' | 'bare';

const IMAGE_PATTERNS = [
  /!\[[^\]\n]{0,500}\]\(\s*<?((?:https?:)?\/\/[^\s)>]{1,4000})/gi,
  // a quoted URL runs to its quote: `?u=<user_data>` inside it is a placeholder, not the tag's end
  /<(?:img|image|source|video|audio|iframe|embed|link|script|object)\b[^>]{0,500}?\b(?:src|srcset|href|data|poster)\s*=\s*(?:"((?:https?:)?\/\/[^"\s]{1,4000})|'((?:https?:)?\/\/[^'\s]{1,4000})|((?:https?:)?\/\/[^"'\s>]{1,4000}))/gi,
];
const LINK_PATTERNS = [
  /(?<!!)\[[^\]\n]{0,500}\]\(\s*<?(https?:\/\/[^\s)>]{1,4000})/gi,
  /<a\b[^>]{0,500}?\bhref\s*=\s*(?:"(https?:\/\/[^"\s]{1,4000})|'(https?:\/\/[^'\s]{1,4000})|(https?:\/\/[^"'\s>]{1,4000}))/gi,
  /^[ \t]{0,3}\[[^\]\n]{1,200}\]:[ \t]*<?(https?:\/\/[^\s>]{1,4000})/gim,
];
const BARE_URL = /https?:\/\/[^\s<>"'\x60]{1,4000}/gi;

const PLACEHOLDER =
  /\{\{?\s*([A-Za-z_][\w .-]{0,40}?)\s*\}\}?|\$\{([A-Za-z_][\w.]{0,40})\}|\$([A-Z_][A-Z0-9_]{2,40})\b|\[([A-Z][A-Z0-9_ -]{2,40})\]|<([A-Za-z_][\w -]{1,40})>|\b((?:INSERT|PUT|ADD|REPLACE|APPEND)_[A-Z_]{2,40}|[A-Z]{2,}(?:_[A-Z]+)*_HERE)\b/;
/** What an attacker wants from an agent. */
const DATA_WORD =
  /conversation|chat|history|messages?|summary|secret|credential|password|passwd|\benv\b|environment|prompt|memor(?:y|ies)|context|\bdata\b|answer|response|output|payload|session|cookie|personal|private|transcript|exfil|leak/i;

/** Percent-decoding; in a query `+` is a space, in a path it is itself. */
function safeDecode(value: string, plusIsSpace = true): string {
  try {
    return decodeURIComponent(plusIsSpace ? value.replace(/\+/g, ' ') : value);
  } catch {
    return value;
  }
}

/** Query values, path segments and the fragment of a URL, decoded. */
function urlParts(url: string): string[] {
  const [beforeFragment = '', fragment = ''] = url.split('#', 2);
  const [path = '', query = ''] = beforeFragment.split('?', 2);
  // a file name keeps its encoded stem: /c3NoIGtleSBh….png
  const parts = path
    .split('/')
    .slice(3)
    .map((segment) => safeDecode(segment, false).replace(/\.[A-Za-z0-9]{2,4}$/, ''));
  for (const pair of query.split(/[&;]/)) parts.push(safeDecode(pair.slice(pair.indexOf('=') + 1)));
  if (fragment) parts.push(safeDecode(fragment));
  return parts.filter((part) => part.length > 0);
}

function isProse(value: string): boolean {
  return (value.match(/\s/g)?.length ?? 0) >= 4 && /^[\p{L}\p{N}\p{P}\p{S}\s]+$/u.test(value);
}

function decodedBase64Prose(value: string): boolean {
  if (!/^[A-Za-z0-9+/_-]{32,}={0,2}$/.test(value)) return false;
  const decoded = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  return isProse(decoded) && !decoded.includes('\uFFFD');
}

/** How a URL carries data: a placeholder (naming agent data or not), encoded prose, or an opaque blob. */
function assess(url: string): { dataPlaceholder: boolean; placeholder: boolean; prose: boolean; opaque: boolean } {
  const decoded = safeDecode(url);
  const placeholder = PLACEHOLDER.exec(decoded) ?? PLACEHOLDER.exec(url);
  const name = placeholder ? (placeholder.slice(1).find((group) => group !== undefined) ?? '') : '';
  const parts = urlParts(url);
  const prose = parts.some((part) => part.length >= 24 && (isProse(part) || decodedBase64Prose(part)));
  const opaque = parts.some(
    (part) => part.length >= 32 && /^[A-Za-z0-9+/_=-]+$/.test(part) && /[A-Z]/.test(part) && /[a-z]/.test(part) && /[0-9]/.test(part),
  );
  return { dataPlaceholder: placeholder !== null && DATA_WORD.test(name), placeholder: placeholder !== null, prose, opaque };
}

function judge(carrier: Carrier, url: string): { severity: Severity; why: string } | undefined {
  const { dataPlaceholder, placeholder, prose, opaque } = assess(url);
  if (carrier === 'image') {
    if (placeholder) return { severity: 'high', why: 'an image URL with a placeholder for data: rendering it would send that data out' };
    if (prose) return { severity: 'high', why: 'an image URL whose parameters carry encoded text' };
    if (opaque) return { severity: 'medium', why: 'an image URL whose parameters carry a long encoded value' };
    return undefined;
  }
  if (dataPlaceholder) return { severity: 'high', why: `a ${carrier === 'link' ? 'link' : 'URL'} with a placeholder for the agent's data` };
  if (carrier === 'link' && prose) return { severity: 'medium', why: 'a link whose parameters carry encoded text' };
  return undefined;
}

const RULES: Record<Carrier, string> = { image: 'image-exfiltration', link: 'link-exfiltration', bare: 'url-data-placeholder' };

/** Findings for URLs in `text` that would carry data out. */
export function findExfiltrationLinks(text: string): RawFinding[] {
  if (!/https?:|\/\//i.test(text)) return [];
  const findings: RawFinding[] = [];
  const claimed = new Set<number>();
  const consider = (carrier: Carrier, match: RegExpExecArray): void => {
    const url = (match[1] ?? match[2] ?? match[3] ?? match[0]).replace(/[.,;:!?]+$/, '');
    const urlStart = match.index + match[0].indexOf(url);
    if (carrier === 'bare' && claimed.has(urlStart)) return;
    claimed.add(urlStart);
    const verdict = judge(carrier, url);
    if (!verdict) return;
    findings.push({
      rule: RULES[carrier],
      family: 'exfiltration',
      severity: verdict.severity,
      start: match.index,
      end: urlStart + url.length,
      message: verdict.why,
    });
  };
  for (const pattern of IMAGE_PATTERNS) for (const match of text.matchAll(pattern)) consider('image', match);
  for (const pattern of LINK_PATTERNS) for (const match of text.matchAll(pattern)) consider('link', match);
  for (const match of text.matchAll(BARE_URL)) consider('bare', match);
  return findings;
}
