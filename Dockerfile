# syntax=docker/dockerfile:1
# kubeguard's container image: a static binary on distroless, running as the
# nonroot user (UID 65532) the Helm chart's securityContext expects.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
# Static (no cgo): the final image has no libc.
RUN --mount=type=cache,target=/root/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -buildid= -X main.version=${VERSION}" \
      -o /out/kubeguard ./cmd/kubeguard

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/kubeguard /usr/local/bin/kubeguard
# Numeric, so that runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
# Webhook (TLS), health probes, metrics.
EXPOSE 9443 8081 8080
# Writes nothing to disk: runs with a read-only root filesystem.
ENTRYPOINT ["/usr/local/bin/kubeguard"]
CMD ["serve"]
