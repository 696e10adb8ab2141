# One image for every Marquee role: `docker run marquee <command>` (api, stream, worker, migrate, ...).
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY config ./config
COPY otel ./otel
COPY streams ./streams
COPY actors ./actors
COPY src ./src
COPY scripts ./scripts
USER node
ENTRYPOINT ["node", "bin/marquee.js"]
CMD ["help"]
