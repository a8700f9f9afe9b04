# syntax=docker/dockerfile:1
# ZKEB server image: compiled JavaScript on Node 20, production dependencies only, run as a non-root user.
# Production needs DATABASE_URL, STORE=redis + REDIS_URL, OPAQUE_SERVER_SETUP and TOKEN_SECRET
# (docs/operations.md).

# 1. Every dependency, from the lockfile (cached while package*.json are unchanged).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. Compile TypeScript to dist/ (tsconfig.build.json: no tests, no dev tooling).
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY application ./application
COPY adapters ./adapters
COPY migrations ./migrations
RUN npm run build
# The web app: bundled with the client SDK and crypto by Vite into web/dist (served by the same server).
COPY client ./client
COPY web ./web
RUN npm run build:web

# 3. What runs: production dependencies and the compiled code.
FROM node:20-bookworm-slim AS production
# Migrations are a deploy step (railway.toml's preDeployCommand); /api/health stays 503 until they are applied.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    MIGRATE_ON_START=false \
    DRAIN_TIMEOUT_MS=25000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Readiness as the load balancer sees it; node's fetch, so the image needs no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node runs as PID 1 and receives SIGTERM itself (no shell in between), so it drains before exiting.
CMD ["node", "dist/adapters/composition/main.js"]
