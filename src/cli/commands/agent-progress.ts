import type { AgentEvent, AgentRunResult } from '../../app/index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT, type Output } from '../output.js';

function describeInput(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const record = input as Record<string, unknown>;
  const main = ['command', 'path', 'pattern', 'query', 'name'].map((key) => record[key]).find((value) => typeof value === 'string');
  const text = typeof main === 'string' ? main : JSON.stringify(input);
  const line = text.replace(/\s+/g, ' ');
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

/** Progress on stderr: the model's text as it streams, one line per tool call, compactions, retries, and sub-agents starting and ending. */
export function progressPrinter(io: CliIo, out: Output, options: { textTo?: CliIo['stdout'] } = {}): (event: AgentEvent) => void {
  const textTo = options.textTo ?? io.stderr;
  let midLine = false;
  const line = (text: string) => {
    if (midLine) textTo.write('\n');
    midLine = false;
    io.stderr.write(`${text}\n`);
  };
  return (event) => {
    switch (event.type) {
      case 'text':
        textTo.write(event.text);
        midLine = !event.text.endsWith('\n');
        break;
      case 'tool-call':
        line(`${out.dim('•')} ${event.toolName}(${describeInput(event.input)})`);
        break;
      case 'tool-result':
        if (!event.ok) line(`  ${event.denied ? 'denied' : 'failed'}: ${event.output.split('\n').find((text) => text.trim() !== '')?.slice(0, 160) ?? ''}`);
        break;
      case 'compaction':
        line(out.dim(`[context ${event.ok ? 'compacted' : 'compaction failed'}: ${event.tokensBefore} → ${event.tokensAfter} tokens${event.message ? `; ${event.message}` : ''}]`));
        break;
      case 'retry':
        line(out.dim(`[model failed (${event.message.slice(0, 120)}); retry ${event.attempt} in ${Math.round(event.delayMs / 1000)} s]`));
        break;
      case 'memory':
        line(out.dim(`[memory: ${event.slugs.join(', ')}]`));
        break;
      case 'sub-agent': {
        const tokens = event.usage ? `, ${event.steps ?? 0} step(s), ${event.usage.totalTokens} tokens` : '';
        const why = event.status === 'failed' && event.message ? `: ${event.message.slice(0, 160)}` : '';
        line(`${out.dim('◦')} ${event.id} ${event.status} (${event.description}${tokens})${why}`);
        break;
      }
      case 'done':
        if (midLine) textTo.write('\n');
        midLine = false;
        break;
      default:
        break;
    }
  };
}

/** 0 completed (and verified when asked), 1 verification failed, 3 could not complete. */
export function exitCodeForRun(result: AgentRunResult): number {
  if (result.outcome === 'completed') return EXIT.ok;
  if (result.outcome === 'verification-failed') return EXIT.checkFailed;
  return EXIT.failed;
}

/** The summary a person reads on stderr after the answer. */
export function reportRun(out: Output, result: AgentRunResult): void {
  const usage = `${result.steps.length} step(s), ${result.usage.inputTokens} input + ${result.usage.outputTokens} output tokens`;
  if (result.outcome === 'completed') {
    if (result.verification?.passed) {
      out.note(`Verified (${result.verification.check}); task ${result.task} completed, promoted ${result.promoted.length === 0 ? 'nothing' : result.promoted.map((item) => item.slug).join(', ')}. ${usage}.`);
    } else {
      out.note(`Done; no --verify, so task ${result.task} stays open with its notes staged (\`mnemo task complete ${result.task} --confirmed\` promotes them). ${usage}.`);
    }
    return;
  }
  if (result.outcome === 'verification-failed') {
    out.note(result.verification?.outputTail.trimEnd().split('\n').slice(-15).join('\n') ?? '');
    out.warn(`Verification failed (${result.verification?.check ?? '?'}): nothing was promoted; task ${result.task} stays open, the attempt is in the transcript. ${usage}.`);
    return;
  }
  out.warn(`${result.outcome === 'stopped' ? 'Stopped' : 'Could not complete'}: ${result.error?.message ?? result.outcome}`);
  if (result.error?.hint) out.note(`hint: ${result.error.hint}`);
  out.note(`Task ${result.task} is left open; the transcript is kept (session ${result.session}). ${usage}.`);
}
