/**
 * docker-compose.yml and the Dockerfile are checked without a Docker engine: the services,
 * pinned images and health checks are there, and the API's environment is exactly what
 * src/config.ts reads (every variable set is read, every variable the profile needs is set, and
 * the whole environment loads).
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';

const repoFile = (name: string): string => fs.readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
}

const compose = parse(repoFile('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** Compose's `${NAME:-default}` / `${NAME:?message}` interpolation, with the given shell environment. */
const interpolate = (value: string | number, shell: Record<string, string>): string =>
  String(value).replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, kind?: string, rest?: string) => {
    if (shell[name] !== undefined) return shell[name];
    if (kind === '-') return rest ?? '';
    throw new Error(`compose would refuse to start: ${name} is not set (${rest ?? ''})`);
  });

const environmentOf = (service: string, shell: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(services[service]!.environment ?? {}).map(([k, v]) => [k, interpolate(v, shell)]));

const shell = { JWT_SECRET: 'compose-test-secret-with-at-least-32-characters' };

/** Loads the configuration from `env`, recording every variable name it reads. */
const readsOf = (env: Record<string, string>) => {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  const config = loadConfig(recording, () => {
    throw new Error('the compose environment must not need a development secret');
  });
  return { config, read };
};

describe('docker-compose.yml', () => {
  it('defines kurrentdb, mongodb and api (and the optional projector)', () => {
    expect(Object.keys(services)).to.include.members(['kurrentdb', 'mongodb', 'api', 'projector']);
  });

  it('pins the store images: KurrentDB 25.x and MongoDB 7 or 8, never a floating tag', () => {
    expect(services.kurrentdb!.image).to.match(/^kurrentplatform\/kurrentdb:25\.\d+\.\d+$/);
    expect(services.mongodb!.image).to.match(/^mongo:[78]\.\d+\.\d+$/);
  });

  it('runs KurrentDB as an insecure single node without server projections, on 2113, healthy when /health/live answers', () => {
    const kurrent = services.kurrentdb!;
    expect(kurrent.environment).to.deep.include({
      KURRENTDB_CLUSTER_SIZE: 1,
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
    });
    expect(kurrent.ports).to.include('2113:2113');
    expect(kurrent.healthcheck!.test.join(' ')).to.match(/^CMD curl --fail .*http:\/\/localhost:2113\/health\/live$/);
  });

  it('checks MongoDB health with a ping through mongosh', () => {
    expect(services.mongodb!.healthcheck!.test).to.deep.equal(['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"]);
  });

  it('builds the api and the projector from the Dockerfile, starting them once both stores are healthy', () => {
    for (const name of ['api', 'projector']) {
      const service = services[name]!;
      expect(service.build, name).to.deep.equal({ context: '.', dockerfile: 'Dockerfile' });
      expect(service.depends_on, name).to.deep.equal({
        kurrentdb: { condition: 'service_healthy' },
        mongodb: { condition: 'service_healthy' },
      });
    }
    expect(services.api!.ports).to.include('3000:3000');
    expect(services.projector!.command).to.deep.equal(['node', 'dist/cli/projector.js']);
    expect(services.projector!.profiles).to.deep.equal(['scale-out']);
    expect(fs.existsSync(new URL('../../src/cli/projector.ts', import.meta.url))).to.equal(true);
  });

  it('marks the api healthy when /readyz answers, and serves its metrics on 9464 inside the compose network only', () => {
    const api = services.api!;
    expect(api.healthcheck!.test.join(' ')).to.match(/^CMD node -e fetch\('http:\/\/127\.0\.0\.1:3000\/readyz'\)/);
    const { config } = readsOf(environmentOf('api', shell));
    expect(config.metrics.port).to.equal(9464);
    expect(config.readyMaxProjectionLag).to.equal(1000);
    expect((api as ComposeService & { expose?: string[] }).expose).to.deep.equal(['9464']);
    expect(api.ports!.some((port) => port.includes('9464'))).to.equal(false);
  });

  for (const name of ['projector', 'projector-postgres']) {
    it(`marks ${name} healthy when its own /readyz answers on 9464, its metrics inside the compose network only`, () => {
      const projector = services[name]! as ComposeService & { expose?: string[] };
      expect(projector.healthcheck!.test.join(' ')).to.match(/^CMD node -e fetch\('http:\/\/127\.0\.0\.1:9464\/readyz'\)/);
      expect(readsOf(environmentOf(name, shell)).config.metrics.port).to.equal(9464);
      expect(projector.expose).to.deep.equal(['9464']);
      expect(projector.ports ?? []).to.deep.equal([]);
    });
  }

  it('refuses to start without JWT_SECRET from the environment', () => {
    expect(() => environmentOf('api', {})).to.throw(/JWT_SECRET is not set/);
    expect(services.api!.environment!.JWT_SECRET).to.match(/^\$\{JWT_SECRET:\?/);
  });

  for (const name of ['api', 'projector']) {
    it(`sets for ${name} only variables that src/config.ts reads, and they load as the KurrentDB/MongoDB profile`, () => {
      const env = environmentOf(name, shell);
      const { config, read } = readsOf(env);
      expect(
        Object.keys(env).filter((key) => !read.has(key)),
        'set but never read',
      ).to.deep.equal([]);
      expect(config).to.deep.include({ nodeEnv: 'production', eventStore: 'kurrentdb', readStore: 'mongodb', mongodbDb: 'sessions' });
      expect(new URL(config.kurrentdbUrl!).host).to.equal('kurrentdb:2113');
      expect(new URL(config.mongodbUrl!).host).to.equal('mongodb:27017');
    });
  }

  it('sets every variable this profile cannot start without', () => {
    const env = environmentOf('api', shell);
    const required = ['NODE_ENV', 'EVENT_STORE', 'READ_STORE', 'KURRENTDB_URL', 'MONGODB_URL', 'JWT_SECRET'];
    for (const key of required) {
      expect(env, key).to.have.property(key);
      // Without it the configuration fails, or silently becomes another profile.
      const without = Object.fromEntries(Object.entries(env).filter(([name]) => name !== key));
      let outcome: string;
      try {
        const { config } = readsOf(without);
        outcome = `${config.nodeEnv}/${config.eventStore}/${config.readStore}`;
      } catch (error) {
        outcome = `error: ${(error as Error).message}`;
      }
      expect(outcome, `${key} removed`).to.not.equal('production/kurrentdb/mongodb');
    }
    const { config } = readsOf(env);
    expect(config.port).to.equal(3000);
    expect(config.projector).to.equal('in-process');
    expect(readsOf(environmentOf('api', { ...shell, PROJECTOR: 'external' })).config.projector).to.equal('external');
  });
});

describe('docker-compose.yml: the postgres profile', () => {
  it('runs a pinned, current postgres image in the postgres profile, healthy when pg_isready answers', () => {
    const postgres = services.postgres!;
    expect(postgres.image).to.match(/^postgres:1[5-9]\.\d+$/);
    expect(postgres.profiles).to.deep.equal(['postgres']);
    expect(postgres.healthcheck!.test.slice(0, 2)).to.deep.equal(['CMD', 'pg_isready']);
    expect(postgres.ports).to.include('5432:5432');
  });

  for (const name of ['api-postgres', 'projector-postgres']) {
    it(`sets for ${name} only variables that src/config.ts reads, and they load as the PostgreSQL profile`, () => {
      const service = services[name]!;
      expect(service.profiles).to.deep.equal(['postgres']);
      expect(service.build).to.deep.equal({ context: '.', dockerfile: 'Dockerfile' });
      expect(service.depends_on).to.deep.equal({ postgres: { condition: 'service_healthy' } });
      const env = environmentOf(name, shell);
      const { config, read } = readsOf(env);
      expect(
        Object.keys(env).filter((key) => !read.has(key)),
        'set but never read',
      ).to.deep.equal([]);
      expect(config).to.deep.include({ nodeEnv: 'production', eventStore: 'postgres', readStore: 'postgres' });
      const url = new URL(config.postgres!.url);
      expect(url.host).to.equal('postgres:5432');
      expect(url.pathname).to.equal(`/${services.postgres!.environment!.POSTGRES_DB}`);
      expect(url.username).to.equal(services.postgres!.environment!.POSTGRES_USER);
    });
  }

  it('runs the projector process with the same entry point as the MongoDB profile', () => {
    expect(services['projector-postgres']!.command).to.deep.equal(['node', 'dist/cli/projector.js']);
    expect(services['api-postgres']!.ports).to.include('3001:3000');
  });
});

describe('Dockerfile', () => {
  const lines = repoFile('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = lines.reduce<string[][]>(
    (all, line) => (line.startsWith('FROM ') ? [...all, [line]] : (all[all.length - 1]?.push(line), all)),
    [],
  );
  const runtime = stages[stages.length - 1]!;

  it('builds in one stage (with the toolchain for better-sqlite3) and runs from another', () => {
    expect(stages).to.have.length(2);
    expect(stages[0]!.join('\n')).to.match(/python3 make g\+\+/);
    expect(stages[0]!.join('\n')).to.match(/npm run build/);
    expect(runtime.join('\n')).to.match(/COPY --from=build \/app\/dist/);
  });

  it('installs only production dependencies from the lockfile in the runtime stage', () => {
    expect(runtime.some((line) => line.includes('npm ci --omit=dev'))).to.equal(true);
    expect(runtime.some((line) => line.startsWith('COPY package.json package-lock.json'))).to.equal(true);
  });

  it('runs node dist/main.js as a non-root user', () => {
    const user = runtime.find((line) => line.startsWith('USER '));
    expect(user).to.equal('USER node');
    expect(runtime.indexOf(user!)).to.be.greaterThan(runtime.findIndex((line) => line.includes('npm ci')));
    expect(runtime[runtime.length - 1]).to.equal('CMD ["node", "dist/main.js"]');
  });

  it('probes liveness with /healthz on the configured port, before the CMD', () => {
    const check = runtime.find((line) => line.startsWith('HEALTHCHECK '));
    expect(check).to.match(/CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.PORT \|\| 3000\) \+ '\/healthz'\)/);
    expect(runtime.indexOf(check!)).to.be.lessThan(runtime.length - 1);
  });

  it('keeps the build context small and free of local state', () => {
    const ignored = repoFile('.dockerignore').split('\n');
    expect(ignored).to.include.members(['node_modules', 'dist', 'data', '.git', '.env']);
  });
});
