# Pacer: one image, every role. The role is chosen by the command (`pacer start --roles ...`).
FROM node:22-bookworm-slim

ENV NODE_ENV=production \
    PACER_DATA_DIR=/var/lib/pacer \
    PORT=8080
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
COPY catalog ./catalog
COPY jobs ./jobs
COPY data ./data

RUN mkdir -p /var/lib/pacer && chown node:node /var/lib/pacer
USER node

EXPOSE 8080
ENTRYPOINT ["node", "bin/pacer.js"]
CMD ["start"]
