# One image for the API and the worker (the command picks which). Used by docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# No install scripts: the Temporal binaries and embedded PostgreSQL are for laptops, production has its own.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY activities ./activities
COPY api ./api
COPY db ./db
COPY lib ./lib
COPY scripts ./scripts
COPY worker ./worker
COPY workflows ./workflows
COPY tsconfig.json ./
USER node
CMD ["node_modules/.bin/tsx", "api/main.ts"]
