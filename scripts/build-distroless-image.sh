#!/usr/bin/env bash
# Builds a clean distroless-style image, with no container engine and no
# base image: one layer, written with GNU tar, holding only
#   /app/server                         a static Go HTTP server (scripts/go-fixture-static,
#                                       CGO_ENABLED=0, standard library only, built offline)
#   /etc/ssl/certs/ca-certificates.crt  the host's CA bundle (Debian's ca-certificates)
#   /etc/passwd, /etc/group             root and nonroot (65532:65532), as Google's distroless
#   /home/nonroot                       owned by 65532:65532, mode 0700
#   /root (0700), /tmp (1777)
# Everything else is owned by root; there is no shell, no package manager and
# no package database. The config runs as 65532:65532 with a HEALTHCHECK
# (which umoci cannot write), so the config, manifest and index are written
# here with their digests; umoci and skopeo check the result.
# Timestamps are the epoch, as distroless images have, and the build is
# reproducible for a given Go toolchain and CA bundle.
#
# Usage: scripts/build-distroless-image.sh OUTDIR
# Produces OUTDIR/oci (OCI layout, tag "distroless").
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/work"
rm -rf "$work" "$out/oci"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
certs=/etc/ssl/certs/ca-certificates.crt
[ -s "$certs" ] || { echo "missing $certs (install ca-certificates)" >&2; exit 1; }

# The server: static, offline, with module build info kept.
cp -r "$here/go-fixture-static" "$work/src"
(
  cd "$work/src"
  export CGO_ENABLED=0 GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GO111MODULE=on
  export GOPATH="$work/gopath" GOCACHE="$work/gocache"
  go build -trimpath -ldflags=-buildid= -o "$work/server" .
  go version -m "$work/server" | grep -q 'CGO_ENABLED=0' || { echo "server is not a static build" >&2; exit 1; }
)
arch=$(go env GOARCH)

# The root filesystem, staged with the modes it will have; owners are set by tar.
r="$work/rootfs"
install -d -m 0755 "$r" "$r/app" "$r/etc" "$r/etc/ssl" "$r/etc/ssl/certs" "$r/home"
install -d -m 0700 "$r/root" "$r/home/nonroot"
install -d -m 1777 "$r/tmp"
install -m 0755 "$work/server" "$r/app/server"
install -m 0644 "$certs" "$r/etc/ssl/certs/ca-certificates.crt"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$r/etc/passwd"
printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$r/etc/group"
chmod 0644 "$r/etc/passwd" "$r/etc/group"

# One layer, in name order; only /home/nonroot belongs to nonroot.
layer="$work/layer.tar"
tarc() { tar -C "$r" --format=ustar --numeric-owner --mtime=@0 --no-recursion "$@"; }
tarc -cf "$layer" --owner=0 --group=0 ./ ./app/ ./app/server ./etc/ ./etc/group ./etc/passwd \
  ./etc/ssl/ ./etc/ssl/certs/ ./etc/ssl/certs/ca-certificates.crt ./home/
tarc -rf "$layer" --owner=65532 --group=65532 ./home/nonroot/
tarc -rf "$layer" --owner=0 --group=0 ./root/ ./tmp/
gzip -9 -n -c "$layer" >"$layer.gz"

layout="$out/oci"
mkdir -p "$layout/blobs/sha256"
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
# put FILE: stores FILE as a blob, prints its digest
put() { local d; d=$(sha "$1"); cp "$1" "$layout/blobs/sha256/$d"; echo "$d"; }

diff_id=$(sha "$layer")
layer_digest=$(put "$layer.gz")
epoch=1970-01-01T00:00:00Z
cat >"$work/config.json" <<EOF
{"created":"$epoch","architecture":"$arch","os":"linux","config":{"User":"65532:65532","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],"Entrypoint":["/app/server"],"WorkingDir":"/home/nonroot","ExposedPorts":{"8080/tcp":{}},"Healthcheck":{"Test":["CMD","/app/server","-healthcheck"],"Interval":30000000000}},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"$epoch","created_by":"COPY rootfs / # server, CA bundle, passwd, group, home, tmp"},{"created":"$epoch","created_by":"HEALTHCHECK --interval=30s CMD [\"/app/server\",\"-healthcheck\"]","empty_layer":true}]}
EOF
config_digest=$(put "$work/config.json")
cat >"$work/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_digest","size":$(size "$work/config.json")},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer_digest","size":$(size "$layer.gz")}]}
EOF
manifest_digest=$(put "$work/manifest.json")
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$layout/oci-layout"
cat >"$layout/index.json" <<EOF
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_digest","size":$(size "$work/manifest.json"),"annotations":{"org.opencontainers.image.ref.name":"distroless"}}]}
EOF

# Let the real tools judge the result: umoci unpacks it (checking every digest), skopeo reads it.
umoci unpack --image "$layout:distroless" "$work/check" >/dev/null
skopeo inspect --config "oci:$layout:distroless" >/dev/null
