# syntax=docker/dockerfile:1
# Multi-stage build of the sessions service.
#   docker build -t sessions-service .
# Runs as the unprivileged `node` user; configuration comes from the environment (see README).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install everything (dev dependencies included) and compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies only, compiled output, non-root ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The toolchain is only there for a possible better-sqlite3 source build, and removed in the same layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && apt-get purge -y python3 make g++ \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/dist ./dist
# DATA_DIR for the embedded profile (unused with KurrentDB/MongoDB), writable by the service user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# 3000: the API; 9464: /metrics when METRICS_PORT=9464 (see README).
EXPOSE 3000 9464
# Liveness: /healthz (is the process serving). Orchestrators that route traffic should probe
# /readyz instead, as docker-compose.yml does.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
