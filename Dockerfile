# One image for every LogFlow role: `docker run logflow <role>` (ingester, es-sink, pg-sink,
# reconciler, query, migrate). It runs the compiled build (dist/logflow.mjs) with plain Node and
# production dependencies only: TypeScript, tsx and the build tools stay in the build stage.

# Every workspace's package.json (npm needs them all to install from the lockfile), apart from
# the sources so that the installs below are cached until a dependency changes.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY core/package.json core/
COPY ingester/package.json ingester/
COPY sinks/package.json sinks/
COPY query/package.json query/
COPY web/package.json web/
COPY cli/package.json cli/

FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM manifests
ENV NODE_ENV=production
# The dependencies of every workspace but the dashboard's: vite has bundled those into web/dist.
RUN npm ci --omit=dev --include-workspace-root --no-audit --no-fund \
      $(node -p "require('./package.json').workspaces.filter((w) => w !== 'web').map((w) => '--workspace=' + w).join(' ')") \
    && npm cache clean --force
# The bundle imports its npm dependencies from /app/node_modules and finds the migrations and the
# dashboard beside dist/, where they sit in the repository.
COPY --from=build /app/dist dist
COPY --from=build /app/migrations migrations
COPY --from=build /app/web/dist web/dist
# Every dependency the bundle imports is installed: `help` loads them all, or the image fails to build.
RUN node dist/logflow.mjs help > /dev/null
USER node
# Source maps: stack traces in the logs name the TypeScript files and lines.
ENTRYPOINT ["node", "--enable-source-maps", "dist/logflow.mjs"]
CMD ["help"]
