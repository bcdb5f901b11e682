/**
 * Shared by the operator CLIs (rebuild, audit): configuration and exit codes. These tools read and
 * rebuild stores; they never verify tokens, so the JWT settings are not required of them.
 */
import { ConfigError, loadConfig, type Config } from '../config.js';

/** Exit codes: 0 done, 1 done but the read models differ, 2 usage or configuration error, 3 failed. */
export const exitCodes = { ok: 0, differences: 1, usage: 2, failed: 3 } as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The service's configuration from the environment, without requiring JWT settings. */
export const loadOperatorConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const placeholder = 'operator-tools-do-not-verify-tokens-0123456789';
  return loadConfig(
    { ...env, JWT_SECRET: placeholder, JWT_PUBLIC_KEY: undefined, JWT_ISSUER: undefined, JWT_AUDIENCE: undefined },
    () => placeholder,
  );
};

/** Runs a CLI's main, mapping errors to a message on stderr and an exit code. */
export const runCli = (main: () => Promise<number>): void => {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof UsageError || error instanceof ConfigError) {
        process.stderr.write(`${error instanceof ConfigError ? 'Configuration error: ' : ''}${message}\n`);
        process.exitCode = exitCodes.usage;
      } else {
        process.stderr.write(`failed: ${message}\n`);
        process.exitCode = exitCodes.failed;
      }
    },
  );
};
