# syntax=docker/dockerfile:1
# livestream_server on Debian 12, in three stages: the build with the
# project's own scripts, grpc_health_probe for `docker run`'s health check,
# and a runtime image with only the shared libraries the server links.
# Build: docker build -t livestream-gateway .   (docs/operations.md, "Deploy")

FROM debian:12 AS build
WORKDIR /src
# setup.sh first, alone: its packages stay cached while the sources change.
COPY scripts/setup.sh scripts/setup.sh
RUN scripts/setup.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN TARGETS=livestream_server BUILD_TYPE=Release scripts/build.sh build \
    && install -D -m 0755 build/server/livestream_server /out/livestream_server

# Kubernetes probes the health service natively (deploy/kubernetes); plain
# Docker and Compose need a binary for HEALTHCHECK. Pinned; its go.mod picks
# the Go toolchain it needs.
FROM golang:1.25-bookworm AS probe
ARG GRPC_HEALTH_PROBE_VERSION=v0.4.63
RUN GOTOOLCHAIN=auto CGO_ENABLED=0 GOBIN=/out \
    go install "github.com/grpc-ecosystem/grpc-health-probe@${GRPC_HEALTH_PROBE_VERSION}"

FROM debian:12-slim AS runtime
# The libraries `ldd livestream_server` names beyond libc, and the CA
# certificates for api.zoom.us and zoom.us.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates libabsl20220623 libcurl4 libgrpc++1.51 libgrpc29 libicu72 \
       libprotobuf32 libtcmalloc-minimal4 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 livestream \
    && useradd --system --uid 10001 --gid livestream --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin livestream
COPY --from=build /out/livestream_server /usr/local/bin/livestream_server
COPY --from=probe /out/grpc-health-probe /usr/local/bin/grpc_health_probe
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["grpc_health_probe", "-addr=127.0.0.1:8080", "-service=zoom.livestream.v1.LiveStreamService"]
ENTRYPOINT ["/usr/local/bin/livestream_server"]
# Plaintext on all interfaces suits a mesh whose sidecar terminates mTLS;
# anywhere else pass --tls_cert_file and --tls_key_file instead
# (docs/operations.md).
CMD ["--listen=0.0.0.0:8080", "--allow_plaintext_non_loopback", "--metrics_listen=0.0.0.0:9090", \
     "--log_format=json"]
