import { isAbsolute, relative, resolve } from 'node:path';
import picomatch from 'picomatch';
import { scanForInjection } from '../guard/index.js';
import { MnemoError } from '../shared/index.js';

export type PermissionAction = 'allow' | 'ask' | 'deny';

/** `bash(npm test*)`: a tool name and, optionally, a pattern over its command or path. */
export interface PermissionRule {
  action: PermissionAction;
  tool: string;
  /** `*` matches anything in a command; a path pattern is a glob (`src/**`). */
  pattern?: string;
  /** The text the rule was written as. */
  source: string;
}

export interface PermissionRules {
  allow?: readonly string[];
  ask?: readonly string[];
  deny?: readonly string[];
}

/** What a call may do: run, or not (and why, and what to do about it). */
export type PermissionDecision = { allowed: true; rule?: string } | { allowed: false; reason: string; hint: string };

/** Asks a person about one call; the CLI's prompt on a terminal. */
export type PermissionPrompt = (question: { toolName: string; subject: string; reason: string }) => Promise<boolean>;

const RULE = /^([a-z][a-z0-9_]*)(?:\((.*)\))?$/s;

/** Parse `tool` or `tool(pattern)`; throws `usage` naming the rule. */
export function parseRule(text: string, action: PermissionAction): PermissionRule {
  const match = RULE.exec(text.trim());
  if (!match?.[1]) {
    throw new MnemoError('usage', `Not a permission rule: ${JSON.stringify(text)}.`, {
      hint: 'Write a tool name, optionally with a pattern: bash, bash(npm test*), write(src/**).',
    });
  }
  return { action, tool: match[1], ...(match[2] === undefined || match[2] === '' ? {} : { pattern: match[2] }), source: text.trim() };
}

/** What a rule's pattern is matched against: the command, the path or the pattern of the call. */
export function permissionSubject(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const record = input as Record<string, unknown>;
  for (const key of ['command', 'path', 'pattern']) if (typeof record[key] === 'string') return record[key];
  return '';
}

function commandMatches(pattern: string, command: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(command.trim());
}

function ruleMatches(rule: PermissionRule, toolName: string, subject: string): boolean {
  if (rule.tool !== toolName && rule.tool !== '*') return false;
  if (rule.pattern === undefined) return true;
  if (toolName === 'bash') return commandMatches(rule.pattern, subject);
  return picomatch(rule.pattern, { dot: true })(subject.replace(/^\.\//, '')) || commandMatches(rule.pattern, subject);
}

function outsideWorkspace(workspace: string, argument: string): boolean {
  const cleaned = argument.replace(/^["']|["']$/g, '');
  if (cleaned.startsWith('~') || cleaned.startsWith('$HOME') || cleaned === '*') return true;
  const target = resolve(workspace, cleaned);
  const rel = relative(workspace, target);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel);
}

/**
 * Why a command is destructive, or undefined: recursive deletes of anything outside the
 * workspace (or of the workspace itself), `git push`, pipes from the network into a shell and
 * the guard's other dangerous-command rules.
 */
export function destructiveReason(command: string, workspace: string): string | undefined {
  if (/\bgit\s+(?:(?:-C|-c)\s+\S+\s+|--?[\w-]+(?:=\S+)?\s+)*push\b/.test(command)) return 'it pushes to a remote (git push)';
  for (const segment of command.split(/&&|\|\||;|\n|\|/)) {
    const words = segment.trim().split(/\s+/);
    const rm = words.findIndex((word) => word === 'rm' || word.endsWith('/rm'));
    if (rm === -1) continue;
    const flags = words.slice(rm + 1).filter((word) => word.startsWith('-'));
    const recursive = flags.some((flag) => /^-[a-zA-Z]*[rR]/.test(flag) || flag === '--recursive');
    const targets = words.slice(rm + 1).filter((word) => !word.startsWith('-'));
    if (recursive && targets.some((target) => outsideWorkspace(workspace, target))) return 'it deletes recursively outside the workspace';
  }
  const finding = scanForInjection(command, { purpose: 'evidence-command' }).find((item) => item.family === 'dangerous-command');
  return finding ? finding.message : undefined;
}

export interface PermissionPolicyOptions {
  workspace: string;
  /** From the configuration, then the command line (`--allow`). */
  rules: PermissionRules;
  /** Tools that only read (their hints say so): allowed unless a rule says otherwise. */
  readOnlyTools: ReadonlySet<string>;
  /** `--yes`: `ask` becomes allow (destructive commands still need an explicit allow rule). */
  yes?: boolean;
  /** A person to ask; without one, `ask` is denied. */
  prompt?: PermissionPrompt;
}

/** The policy as a function of one call; deny rules win, then ask, then allow, then the defaults. */
export function createPermissionPolicy(options: PermissionPolicyOptions): (toolName: string, input: unknown) => Promise<PermissionDecision> {
  const rules = [
    ...(options.rules.deny ?? []).map((text) => parseRule(text, 'deny')),
    ...(options.rules.ask ?? []).map((text) => parseRule(text, 'ask')),
    ...(options.rules.allow ?? []).map((text) => parseRule(text, 'allow')),
  ];
  return async (toolName, input) => {
    const subject = permissionSubject(input);
    const rule = rules.find((candidate) => ruleMatches(candidate, toolName, subject));
    const suggestion = `${toolName}(${subject.length > 60 || subject === '' ? `${subject.slice(0, 40)}*` : subject})`;
    if (rule?.action === 'deny') {
      return { allowed: false, reason: `denied by the rule ${rule.source}`, hint: 'Do it another way, or ask the user to change the rule.' };
    }
    const destructive = toolName === 'bash' ? destructiveReason(subject, options.workspace) : undefined;
    if (destructive !== undefined && rule?.action !== 'allow') {
      return {
        allowed: false,
        reason: `refused because ${destructive}`,
        hint: `Do not retry it. If the user wants it, they can allow it with --allow '${suggestion}'.`,
      };
    }
    if (rule?.action === 'allow') return { allowed: true, rule: rule.source };
    const action: PermissionAction = rule?.action ?? (options.readOnlyTools.has(toolName) ? 'allow' : 'ask');
    if (action === 'allow') return { allowed: true };
    if (options.yes) return { allowed: true, rule: '--yes' };
    if (options.prompt && (await options.prompt({ toolName, subject, reason: rule ? `the rule ${rule.source}` : 'it changes things' }))) {
      return { allowed: true, rule: 'asked' };
    }
    return {
      allowed: false,
      reason: options.prompt ? 'the user said no' : 'it needs the user\'s permission and nobody can be asked (no terminal)',
      hint: options.prompt
        ? 'Do not retry it; do the task another way or stop and say what you need.'
        : `Stop and say what you need; the user can rerun with --allow '${suggestion}' or --yes.`,
    };
  };
}
