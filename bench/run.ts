/*
 * `npm run bench`: every benchmark, each printing a markdown table with the machine it ran on.
 * The figures in docs/benchmarks.md come from here.
 */
import { machineLine } from './bench-utils.js';
import { formatStoreBench, runStoreBench } from './store-bench.js';

const write = (text: string) => process.stdout.write(`${text}\n`);

write(`# mnemo benchmarks\n\nMachine: ${machineLine()}\n`);

write('## Store and recall (1k and 10k synthetic topics)\n');
write(formatStoreBench(await runStoreBench()));
write('');

const { formatSessionBench, runSessionBench } = await import('./session-bench.js');
write('## A long session synced often (1k, 4k and 16k turns in one transcript)\n');
write(formatSessionBench(await runSessionBench()));
write('');

const { formatVerificationBench, runVerificationBench } = await import('./verification-bench.js');
write('## Checks on use (recall latency added by evidence checks)\n');
write(formatVerificationBench(await runVerificationBench()));
write('');

const { formatDreamBench, runDreamBench } = await import('./dream-bench.js');
write('## Dream (100, 1,000 and 10,000 topics with 100 sessions of transcripts)\n');
write(formatDreamBench(await runDreamBench()));
write('');

const { formatDreamKillBench, runDreamKillBench } = await import('./dream-kill.js');
write('## Dream kill trials (a real dreaming process killed at random points)\n');
const killSummary = await runDreamKillBench(60);
write(formatDreamKillBench(killSummary));
if (killSummary.failures.length > 0) process.exitCode = 1;
write('');

const { formatGuardBench, runGuardBench } = await import('./guard/guard-bench.js');
write('## Guard (attack payloads, benign texts, secrets)\n');
write(formatGuardBench(await runGuardBench()));
write('');

const { formatMegabyteBench, runMegabyteBench } = await import('./guard/megabyte-bench.js');
write('## Guard on a megabyte (scan and redact 1 MB of hostile shapes)\n');
write(formatMegabyteBench(runMegabyteBench()));
write('');

const { formatRedactBench, runRedactBench } = await import('./guard/redact-bench.js');
write('## Redactor on a megabyte (CPU time, against a plain regex scan)\n');
write(formatRedactBench(runRedactBench()));
write('');

const { formatSplitBench, runSplitBench } = await import('./guard/split-bench.js');
write('## Guard on the transcript path and encoded secrets (tune split, held-back split)\n');
write(formatSplitBench(await runSplitBench()));
write('');

const { runLocomoBench } = await import('./locomo.js');
write('## LoCoMo evidence recall (both retrievers, 500/1000/2000 tokens)\n');
await runLocomoBench();
write('');

const { formatContextBench, runContextBench } = await import('./context.js');
write('## Agent context over a 300-step session (mnemo vs a naive append-everything loop)\n');
write(formatContextBench(await runContextBench()));
write('');

const { formatSubAgentBench, runSubAgentBench } = await import('./sub-agents.js');
write('## Sub-agents (4 independent sub-tasks, sequential vs parallel; first request on a 1k-topic memory)\n');
write(formatSubAgentBench(await runSubAgentBench()));
write('');

const { runStalenessBench } = await import('./staleness.js');
write("## Staleness on the project's own history (facts checked commit by commit against git)\n");
await runStalenessBench();
write('');

const { runScaleBench } = await import('./scale.js');
write('## Scale (1k and 10k topics; SCALE_SIZES=1000,10000,100000 for 100k)\n');
write(await runScaleBench());
write('');

const { formatColumnBuildBench, runColumnBuildBench } = await import('./column-build.js');
write("## Term columns built from FTS5's pages against fts5vocab (30k topics)\n");
write(formatColumnBuildBench(runColumnBuildBench()));
write('');

const { formatDaemonBench, runDaemonBench } = await import('./daemon-bench.js');
write('## The daemon (save → notification; idle cost watching 10k files; bursts of 1k, 4k and 16k new files)\n');
write(formatDaemonBench(await runDaemonBench({ idleSeconds: Number(process.env.DAEMON_IDLE_SECONDS ?? 60) })));
write('');

const { formatCliStart, runCliStart } = await import('./cli-start.js');
write('## CLI start (process start to exit, interleaved with `node -e 0`; needs `npm run build`)\n');
write(formatCliStart(await runCliStart()));
write('');
