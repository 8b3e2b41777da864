import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, ToStringOptions } from 'yaml';
import { readFlatFrontmatter } from './flat-frontmatter.js';
import {
  KNOWN_FIELDS,
  evidenceSchema,
  topicLinkSchema,
  topicSourceSchema,
  topicStatusSchema,
  topicTypeSchema,
  type Evidence,
  type Topic,
  type TopicLink,
  type TopicMeta,
} from './topic-schema.js';

export type ParsedTopic =
  | { ok: true; topic: Topic; /** The YAML between the fences, for a rewrite that keeps unknown fields. */ frontmatter: string }
  | { ok: false; error: string };

const require = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;

/**
 * The yaml package, loaded on first use: reading a topic in the shape mnemo writes does not need
 * it (flat-frontmatter.ts), so `mnemo recall` and the hooks start without its 73 modules. yaml is
 * CommonJS under node, so `require` gives the module a static import would.
 */
function yaml(): typeof Yaml {
  yamlModule ??= require('yaml') as typeof Yaml;
  return yamlModule;
}

const YAML_OUT: ToStringOptions = { lineWidth: 100_000, minContentWidth: 0, flowCollectionPadding: false };

/** Split `---\nYAML\n---\nbody`. Returns undefined frontmatter when the file has none. */
export function splitFrontmatter(text: string): { frontmatter: string | undefined; body: string; bodyLine: number } | { error: string } {
  const clean = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = clean.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return { frontmatter: undefined, body: clean, bodyLine: 1 };
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index]?.trimEnd();
    if (line === '---' || line === '...') {
      return {
        frontmatter: lines.slice(1, index).join('\n'),
        body: lines.slice(index + 1).join('\n'),
        bodyLine: index + 2,
      };
    }
  }
  return { error: "the frontmatter opened by '---' on line 1 is never closed; add a line '---' after the last field" };
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function firstLine(body: string): string {
  const line = body
    .split('\n')
    .map((candidate) => candidate.replace(/^#+\s*/, '').trim())
    .find((candidate) => candidate.length > 0);
  return (line ?? '').slice(0, 150);
}

function parseList<T>(value: unknown, field: string, parse: (item: unknown) => T | undefined, problems: string[]): T[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: T[] = [];
  items.forEach((item, index) => {
    const parsed = parse(item);
    if (parsed === undefined) problems.push(`${field}[${index}] is not valid and was ignored`);
    else out.push(parsed);
  });
  return out;
}

/** Read the known fields of a frontmatter mapping, tolerating bad values (each one is a problem). */
export function readMeta(data: Record<string, unknown>, slug: string, body: string, problems: string[]): TopicMeta {
  const name = asText(data.name);
  if (name === undefined || name.trim() === '') problems.push("missing 'name'; using the file name");
  const description = asText(data.description);
  if (description === undefined) problems.push("missing 'description'; using the first line of the body");
  const type = topicTypeSchema.safeParse(data.type);
  if (!type.success)
    problems.push(`'type' ${JSON.stringify(data.type ?? null)} is not one of user, feedback, project, reference, lesson; read as project`);
  const status = data.status === undefined ? undefined : topicStatusSchema.safeParse(data.status);
  if (status && !status.success) problems.push(`'status' ${JSON.stringify(data.status)} is unknown; read as active`);
  const source = data.source === undefined ? undefined : topicSourceSchema.safeParse(data.source);
  if (source && !source.success) problems.push("'source' is not valid and was ignored");
  const dateField = (field: 'created' | 'updated' | 'verified'): string | undefined => {
    const value = asText(data[field]);
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      problems.push(`'${field}' ${JSON.stringify(value)} is not a date and was ignored`);
      return undefined;
    }
    return value;
  };
  return {
    name: name !== undefined && name.trim() !== '' ? name.trim() : slug,
    description: (description ?? firstLine(body)).trim(),
    type: type.success ? type.data : 'project',
    id: asText(data.id),
    created: dateField('created'),
    updated: dateField('updated'),
    verified: dateField('verified'),
    status: status?.success ? status.data : 'active',
    source: source?.success ? source.data : undefined,
    evidence: parseList<Evidence>(data.evidence, 'evidence', (item) => evidenceSchema.safeParse(item).data, problems),
    supersedes: parseList(data.supersedes, 'supersedes', asText, problems),
    supersededBy: asText(data.supersededBy),
    links: parseList<TopicLink>(data.links, 'links', (item) => topicLinkSchema.safeParse(item).data, problems),
    tags: parseList(data.tags, 'tags', asText, problems),
    errorSignature: asText(data.errorSignature),
  };
}

/** How the error of a topic with git conflict markers begins. */
export const CONFLICT_ERROR = 'git merge conflict markers';

/**
 * The line of the first git conflict block (`<<<<<<< ` … `=======` … `>>>>>>> `) in a text, if it
 * has one. A topic in that state is unreadable: never fed to an agent until a person resolves it.
 */
export function conflictMarkerLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^<{7}(?: |$)/.test(line));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const middle = rest.findIndex((line) => /^={7}$/.test(line));
  if (middle < 0 || !rest.slice(middle + 1).some((line) => /^>{7}(?: |$)/.test(line))) return undefined;
  return start + 1;
}

/**
 * Parse a topic file. A file without frontmatter is read (name from the file, description from
 * the first line) with a problem noted; unparsable YAML or an unclosed fence is an error that
 * names the line and the fix.
 */
export function parseTopicText(text: string, slug: string): ParsedTopic {
  const conflict = conflictMarkerLine(text);
  if (conflict !== undefined) {
    return {
      ok: false,
      error: `${CONFLICT_ERROR} (<<<<<<<) on line ${conflict}: two branches changed this topic; mnemo doctor shows both sides and how to resolve it`,
    };
  }
  const split = splitFrontmatter(text);
  if ('error' in split) return { ok: false, error: split.error };
  const problems: string[] = [];
  if (split.frontmatter === undefined) {
    problems.push("no frontmatter; add '---' fenced name/description/type fields");
    return { ok: true, frontmatter: '', topic: { slug, meta: readMeta({}, slug, split.body, []), body: split.body, problems } };
  }
  const flat = readFlatFrontmatter(split.frontmatter);
  if (flat !== undefined) {
    const meta = readMeta(flat, slug, split.body, problems);
    return { ok: true, frontmatter: split.frontmatter, topic: { slug, meta, body: split.body, problems } };
  }
  const document = yaml().parseDocument(split.frontmatter, { prettyErrors: true, uniqueKeys: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    // linePos is 1-based within the frontmatter; the opening fence is line 1 of the file.
    const line = first?.linePos?.[0]?.line;
    const where = line === undefined ? '' : ` on line ${line + 1}`;
    const reason = (first?.message.split('\n')[0] ?? 'parse error').replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, error: `invalid YAML in the frontmatter${where}: ${reason}; fix that line or quote the value` };
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 50 });
  } catch (error) {
    // Unresolved aliases, alias bombs: YAML that parses but cannot be read safely.
    return {
      ok: false,
      error: `invalid YAML in the frontmatter: ${(error as Error).message.split('\n')[0] ?? 'unreadable'}; fix or quote the value`,
    };
  }
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    return { ok: false, error: 'the frontmatter is not a set of `field: value` lines' };
  }
  const meta = readMeta((data ?? {}) as Record<string, unknown>, slug, split.body, problems);
  return { ok: true, frontmatter: split.frontmatter, topic: { slug, meta, body: split.body, problems } };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, inner]) => inner !== undefined)
        .map(([key, inner]) => [key, stripUndefined(inner)]),
    );
  }
  return value;
}

/**
 * The previous frontmatter as a document to edit in place (keeping comments and order), or, when
 * it has duplicate keys, aliases or errors, a fresh document of its values (unknown fields kept).
 */
function editableDocument(previous: string): Document {
  const { Document, parseDocument, visit } = yaml();
  const document = parseDocument(previous);
  let tangled = document.errors.length > 0;
  if (!tangled) {
    visit(document, {
      Alias: () => {
        tangled = true;
        return visit.BREAK;
      },
    });
  }
  if (!tangled) return document;
  let values: unknown;
  try {
    values = parseDocument(previous, { uniqueKeys: false }).toJS({ maxAliasCount: 50 });
  } catch {
    values = {};
  }
  return new Document(values !== null && typeof values === 'object' && !Array.isArray(values) ? values : {});
}

/**
 * Render a topic file. With `previousFrontmatter`, the existing YAML document is edited in place,
 * so unknown fields, their order and comments survive; known fields are set from `meta`.
 */
export function serializeTopic(meta: TopicMeta, body: string, previousFrontmatter?: string): string {
  const { Document, isMap, isNode } = yaml();
  const document = previousFrontmatter ? editableDocument(previousFrontmatter) : new Document({});
  if (!isMap(document.contents)) document.contents = document.createNode({});
  for (const field of KNOWN_FIELDS) {
    const value = stripUndefined(meta[field]);
    const present = document.has(field);
    if (present) {
      const node: unknown = document.get(field, true);
      let current: unknown;
      try {
        current = isNode(node) ? node.toJSON() : node;
      } catch {
        current = undefined;
      }
      // Unchanged values keep their node, with its comments and style.
      if (JSON.stringify(current) === JSON.stringify(value)) continue;
    }
    if (isEmpty(value) || (field === 'status' && value === 'active' && !present)) {
      if (present && value === undefined) document.delete(field);
      else if (present) document.set(field, document.createNode(value, { flow: true }));
      continue;
    }
    const flow = field === 'source' || field === 'tags' || field === 'supersedes';
    const node = document.createNode(value, { flow });
    if (field === 'evidence' || field === 'links') {
      for (const item of (node as { items: { flow?: boolean }[] }).items) item.flow = true;
    }
    document.set(field, node);
  }
  const yamlText = document.toString(YAML_OUT);
  const cleanBody = body.endsWith('\n') ? body : `${body}\n`;
  return `---\n${yamlText}---\n${cleanBody}`;
}
