// The loader hooks of record-modules.mjs: every ES module (and builtin) loaded, appended as it loads.
import { appendFileSync } from 'node:fs';

const out = process.env.MNEMO_RECORD_MODULES;

export async function load(url, context, nextLoad) {
  if (out) appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
