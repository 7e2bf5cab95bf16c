# One image for every service; the service is chosen when it runs, by SERVICE (user, item, alarm, queue, ticket,
# payment, gateway). Built by `npm run images` (scripts/images.sh), which passes NODE_IMAGE: the official node
# image where a registry answers, else boxoffice/node (Debian 13's Node.js 20 on a local debootstrap base).
#
# Behind a TLS-inspecting proxy npm needs the host's CA bundle: scripts/images.sh copies it to
# .docker-build-ca.pem (git-ignored), which only the dependency stage reads; the final image never holds it.
ARG NODE_IMAGE=node:20-bookworm-slim

# Only the package.json files, so the dependency layer below is reused while no manifest changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY packages packages
COPY services services
RUN mkdir /manifests && find packages services -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests \;

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json .docker-build-ca.pem* ./
COPY --from=manifests /manifests/ ./
# `npm install`, not `npm ci`: as scripts/bootstrap.sh says, some mirrors lack other platforms' optional binaries.
RUN NODE_EXTRA_CA_CERTS="$(ls "$PWD/.docker-build-ca.pem" 2>/dev/null || true)" \
    npm install --no-audit --no-fund --loglevel=error \
 && rm -f .docker-build-ca.pem

FROM dependencies AS build
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages packages
COPY services services
# only what the services need: packages/testing is for the tests
RUN npx tsc -b services/*/ \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && find packages services -mindepth 2 -maxdepth 2 \( -name src -o -name test -o -name 'tsconfig*.json' -o -name '*.tsbuildinfo' \) -exec rm -rf {} + \
 && rm -f tsconfig.base.json tsconfig.build.json

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=
ENV NODE_ENV=production HOST=0.0.0.0 SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build /app /app
COPY infra/images/services/load-demo-data.cjs /app/load-demo-data.cjs
USER node
# Liveness on /health, on PORT or the service's SPEC port. The exec form matters: on a timeout the engine kills
# this process itself (a shell form would leave its node child running, and the checks pile up on a busy host).
# Six misses in a row (about a minute) before unhealthy: on a 2-core host starting the whole stack, a check's own
# node process can miss its 10 s timeout a few times while the service itself is fine, and compose's
# `depends_on: service_healthy` then fails the whole `up` (CI stop 26).
HEALTHCHECK --interval=5s --timeout=10s --start-period=300s --retries=6 \
  CMD ["node", "-e", "const p=process.env.PORT||{user:7001,item:5001,alarm:6001,queue:8001,ticket:8002,payment:8003,gateway:8080}[process.env.SERVICE];fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["sh", "-c", "exec node services/${SERVICE:?set SERVICE to the service to run}/dist/server.js"]
