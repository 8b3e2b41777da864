import { homedir } from 'node:os';

/** What mnemo's entry points take from the environment besides the memory configuration. */
export interface EnvironmentSettings {
  /** The user's home folder (`HOME`, else `USERPROFILE`, else the system's): user-scope client settings live there. */
  homeDir: string;
  /** `MNEMO_MCP_TOKEN`: the bearer token an HTTP MCP server requires (required off loopback). */
  mcpToken: string | undefined;
  /** `PATH`: where programs are found (the daemon's desktop notifications look for notify-send there). */
  searchPath: string | undefined;
  /** `MNEMO_NOW` as written (opening a memory checks that it is a date): a chosen time for this process. */
  fixedNow: string | undefined;
}

/** Read the environment settings (defaults to `process.env`: config/ is the only reader of the environment). */
export function environmentSettings(env: NodeJS.ProcessEnv = process.env): EnvironmentSettings {
  const token = env.MNEMO_MCP_TOKEN?.trim();
  return {
    homeDir: env.HOME || env.USERPROFILE || homedir(),
    mcpToken: token ? token : undefined,
    searchPath: env.PATH,
    fixedNow: env.MNEMO_NOW?.trim() || undefined,
  };
}
