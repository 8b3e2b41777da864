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

const { formatVerificationBench, runVerificationBench } = await import('./verification-bench.js');
write('## Checks on use (recall latency added by evidence checks)\n');
write(formatVerificationBench(await runVerificationBench()));
write('');
