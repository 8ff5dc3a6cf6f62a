# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts
COPY src ./src
COPY jobs ./jobs
RUN npx tsc -p tsconfig.json

# Run: production dependencies, the compiled code and the configuration only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HANCHOT_DATA_DIR=/app/data \
    HOST=0.0.0.0 \
    TZ=UTC
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
# Data (the embedded database, a private redis-server) lives under ./data; owned by the runtime user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# All date maths is done explicitly in Asia/Ho_Chi_Minh; the process zone stays UTC on purpose.
# start and api answer /healthz on PORT (a worker has no HTTP: compose disables the check for it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "dist/src/main/cli.js"]
EXPOSE 3000
CMD ["start"]
