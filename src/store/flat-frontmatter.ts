/*
 * A reader for the frontmatter shapes mnemo and Claude Code write, so that reading a topic does not
 * load the yaml package (73 modules) on every `mnemo recall` and hook: top-level `key: value`
 * lines whose values are plain, single- or double-quoted scalars or flow collections
 * (`{kind: user, trust: trusted}`, `[a, b]`), and block sequences of such values
 * (`evidence:` then `  - {kind: file, path: Makefile}`). Anything else — comments, anchors, tags,
 * multi-line scalars, a value that YAML would read as a number, a boolean or null, duplicate keys,
 * odd indentation — returns undefined, and the caller parses the text with yaml as before. What it
 * does return equals yaml's reading of the same text (a property test checks it against yaml on
 * the topics serializeTopic writes and on random text).
 */

type Value = string | number | boolean | Value[] | { [key: string]: Value } | null;

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Characters that begin something other than a plain string in YAML (indicators). */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
/** Plain scalars YAML's core schema (or an older one) reads as something other than a string. */
const NOT_A_STRING = [
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$/,
  /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9_]+)?$/,
  /^[-+]?0[xXoObB][0-9a-fA-F_]+$/,
  /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/,
];
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
const JSON_STRING = /^"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/;

class NotFlat extends Error {}

/** A mapping key this reader takes: a plain word YAML reads as a string. */
function isKey(key: string): boolean {
  return KEY.test(key) && key !== '__proto__' && !NOT_A_STRING.some((pattern) => pattern.test(key));
}

/** The booleans and small whole numbers of YAML's core schema (`derived: true`, `exit: 0`). */
const CORE_SCALARS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const WHOLE_NUMBER = /^(?:0|[1-9][0-9]{0,14})$/;

function plain(text: string, flow: boolean): string | number | boolean {
  if (CONTROL.test(text)) throw new NotFlat();
  const value = text.trim();
  if (Object.hasOwn(CORE_SCALARS, value)) return CORE_SCALARS[value] as boolean;
  if (WHOLE_NUMBER.test(value)) return Number(value);
  if (value === '' || INDICATOR.test(value)) throw new NotFlat();
  if (value.includes(': ') || value.endsWith(':') || value.includes(' #') || value.includes('\t')) throw new NotFlat();
  if (flow && /[,[\]{}]/.test(value)) throw new NotFlat();
  if (NOT_A_STRING.some((pattern) => pattern.test(value))) throw new NotFlat();
  return value;
}

function quoted(text: string): string {
  if (CONTROL.test(text)) throw new NotFlat();
  if (text.startsWith('"')) {
    if (!JSON_STRING.test(text)) throw new NotFlat();
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'string' || CONTROL.test(value)) throw new NotFlat();
    return value;
  }
  if (!/^'(?:[^']|'')*'$/.test(text)) throw new NotFlat();
  return text.slice(1, -1).replaceAll("''", "'");
}

/** A flow collection or scalar starting at `text[start]`; returns the value and where it ends. */
function flowValue(text: string, start: number): { value: Value; end: number } {
  let index = start;
  while (text[index] === ' ') index += 1;
  const first = text[index];
  if (first === '{' || first === '[') {
    const close = first === '{' ? '}' : ']';
    const map: Record<string, Value> = {};
    const list: Value[] = [];
    index += 1;
    while (text[index] === ' ') index += 1;
    if (text[index] === close) return { value: first === '{' ? map : list, end: index + 1 };
    for (;;) {
      if (first === '{') {
        const colon = text.indexOf(': ', index);
        if (colon < 0) throw new NotFlat();
        const key = text.slice(index, colon).trim();
        if (!isKey(key) || Object.hasOwn(map, key)) throw new NotFlat();
        const item = flowValue(text, colon + 2);
        map[key] = item.value;
        index = item.end;
      } else {
        const item = flowValue(text, index);
        list.push(item.value);
        index = item.end;
      }
      while (text[index] === ' ') index += 1;
      if (text[index] === close) return { value: first === '{' ? map : list, end: index + 1 };
      if (text[index] !== ',' || text[index + 1] !== ' ') throw new NotFlat();
      index += 2;
    }
  }
  if (first === '"' || first === "'") {
    // The closing quote: the first unescaped one (a doubled '' inside single quotes is not one).
    let end = index + 1;
    for (; end < text.length; end += 1) {
      const char = text[end];
      if (first === '"' && char === '\\') end += 1;
      else if (char === first) {
        if (first === "'" && text[end + 1] === "'") end += 1;
        else break;
      }
    }
    if (end >= text.length) throw new NotFlat();
    return { value: quoted(text.slice(index, end + 1)), end: end + 1 };
  }
  let end = index;
  while (end < text.length && !',]}'.includes(text[end] ?? '')) end += 1;
  return { value: plain(text.slice(index, end), true), end };
}

/** A whole value on one line: a flow collection, a quoted or a plain scalar. */
function lineValue(text: string): Value {
  if (CONTROL.test(text)) throw new NotFlat();
  const value = text.trim();
  if (value.startsWith('{') || value.startsWith('[') || value.startsWith('"') || value.startsWith("'")) {
    const parsed = flowValue(value, 0);
    if (value.slice(parsed.end).trim() !== '') throw new NotFlat();
    return parsed.value;
  }
  return plain(value, false);
}

/**
 * The frontmatter's fields, read without yaml, or undefined when the text is not in the flat
 * shape this reader knows (the caller then parses it with yaml, which gives the same answer on
 * every text this reader accepts).
 */
export function readFlatFrontmatter(text: string): Record<string, unknown> | undefined {
  try {
    const data: Record<string, Value> = {};
    const lines = text.split('\n');
    let index = 0;
    while (index < lines.length) {
      const line = lines[index] ?? '';
      index += 1;
      if (line.trim() === '') {
        if (line !== '') throw new NotFlat();
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw new NotFlat();
      const key = line.slice(0, colon);
      if (!isKey(key) || Object.hasOwn(data, key)) throw new NotFlat();
      const rest = line.slice(colon + 1);
      if (rest.trim() !== '') {
        if (!rest.startsWith(' ')) throw new NotFlat();
        data[key] = lineValue(rest);
        continue;
      }
      if (rest !== '') throw new NotFlat();
      // `key:` alone: a block sequence of one-line items follows, or the value is null.
      const items: Value[] = [];
      let indent: string | undefined;
      while (index < lines.length) {
        const match = /^( +)- (.*)$/.exec(lines[index] ?? '');
        if (!match) break;
        if (indent !== undefined && match[1] !== indent) throw new NotFlat();
        indent = match[1];
        items.push(lineValue(match[2] ?? ''));
        index += 1;
      }
      const next = lines[index];
      if (next !== undefined && /^\s/.test(next) && next.trim() !== '') throw new NotFlat();
      data[key] = indent === undefined ? null : items;
    }
    return data;
  } catch (error) {
    if (error instanceof NotFlat) return undefined;
    throw error;
  }
}
