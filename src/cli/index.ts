/**
 * cli: the `mnemo` command. A thin layer over the library API; the only place that prints.
 */
export { runCli, buildProgram, VERSION } from './run-cli.js';
export type { CliIo } from './cli-io.js';
export { EXIT } from './output.js';
