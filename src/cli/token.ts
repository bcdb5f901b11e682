/**
 * npm run token -- --workspace <id> --permissions a,b --sub <user> [--name <n>] [--ttl 1h]
 * Prints a token signed with the configured secret (JWT_SECRET, or the development secret in DATA_DIR).
 */
import { parseArgs } from 'node:util';
import { allPermissions, signToken } from '../auth/tokens.js';
import { loadConfig } from '../config.js';
import { developmentSecret } from '../devSecret.js';

const usage = 'usage: npm run token -- [--workspace <id>] --permissions a,b|all --sub <user> [--name <name>] [--ttl 1h]';

const main = (): void => {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      permissions: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
    },
  });
  if (!values.sub || !values.permissions) throw new Error(usage);
  if (!/^\d+[smhd]?$/.test(values.ttl)) throw new Error(`--ttl must look like 90s, 30m, 1h or 7d\n${usage}`);
  const permissions =
    values.permissions === 'all'
      ? [...allPermissions]
      : values.permissions
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
  const config = loadConfig(process.env, developmentSecret);
  const token = signToken(
    config.jwt,
    {
      sub: values.sub,
      permissions,
      ...(values.workspace ? { workspaceId: values.workspace } : {}),
      ...(values.name ? { name: values.name } : {}),
    },
    /^\d+$/.test(values.ttl) ? Number(values.ttl) : (values.ttl as `${number}h`),
  );
  process.stdout.write(`${token}\n`);
};

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
