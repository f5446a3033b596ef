# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22.5

FROM golang:${GO_VERSION}-bookworm@sha256:6c2780255bb530ddbd1a4d5b5a6a1ad1c2b2ab9c1d0f7e5e9c4f5fdd1e0c9a3f AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot@sha256:8dd8d3ca2cf283383304fd45a5c9c74d5f2cd9da8d3b077d720e264880077c65
COPY --from=build /out/server /server
USER 65532:65532
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=3s CMD ["/server", "-healthcheck"]
ENTRYPOINT ["/server"]
