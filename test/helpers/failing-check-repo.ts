import { gitRepo } from './git-repo.js';

/** The greeting `check.js` expects, and the error it prints while greet.js is wrong. */
export const CHECK_ERROR = 'AssertionError: greet("Ada") returned "Hi Ada", expected "Hello, Ada!"';

/** A git repository whose `node check.js` fails until greet.js says "Hello, NAME!". */
export async function failingCheckRepo(root: string): Promise<void> {
  await gitRepo(root, {
    'greet.js': "exports.greet = (name) => 'Hi ' + name;\n",
    'check.js': [
      "const { greet } = require('./greet.js');",
      "const got = greet('Ada');",
      "if (got !== 'Hello, Ada!') {",
      '  console.error(`AssertionError: greet("Ada") returned "${got}", expected "Hello, Ada!"`);',
      '  process.exit(1);',
      '}',
      "console.log('check passed');",
      '',
    ].join('\n'),
  });
}

/** The fix the scripted models make. */
export const FIX = { path: 'greet.js', old: "'Hi ' + name", new: '`Hello, ${name}!`' };

/** The task id the runtime put in the system prompt. */
export function taskIdIn(text: string): string {
  const match = /task (t-[a-z0-9]+)/.exec(text);
  if (!match?.[1]) throw new Error('no task id in the request');
  return match[1];
}
