# Pacer: one image, every role. The role is chosen by the command (`pacer start --roles ...`).

# The build stage compiles src/ to dist/ with the dev dependencies (typescript); the image keeps
# only the production dependencies and the compiled code.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim

ENV NODE_ENV=production \
    PACER_DATA_DIR=/var/lib/pacer \
    PORT=8080
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY catalog ./catalog
COPY jobs ./jobs
COPY data ./data

RUN mkdir -p /var/lib/pacer && chown node:node /var/lib/pacer
USER node

EXPOSE 8080
ENTRYPOINT ["node", "bin/pacer.js"]
CMD ["start"]
