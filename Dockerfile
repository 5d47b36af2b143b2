# One image for every LogFlow role: `docker run logflow <role>` (ingester, es-sink, pg-sink,
# reconciler, query, migrate). TypeScript runs through tsx, as on a developer's machine.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY core/package.json core/
COPY ingester/package.json ingester/
COPY sinks/package.json sinks/
COPY query/package.json query/
COPY web/package.json web/
COPY cli/package.json cli/
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN npm run build -w web && npm prune --omit=dev --no-audit --no-fund
USER node
ENTRYPOINT ["node", "cli/logflow.mjs"]
CMD ["help"]
