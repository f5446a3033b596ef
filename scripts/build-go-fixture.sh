#!/usr/bin/env bash
# Builds scripts/go-fixture into OUT (a binary with module build info),
# offline: the modules it needs come from Debian's golang-*-dev packages,
# served to the Go toolchain through a file-based module proxy.
# Usage: scripts/build-go-fixture.sh OUT
set -euo pipefail
out=${1:?usage: $0 OUT}
src=$(cd "$(dirname "$0")/go-fixture" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

proxy="$work/proxy"
# module path, version, Debian source directory
modules=(
  "github.com/google/uuid v1.3.0 /usr/share/gocode/src/github.com/google/uuid"
  "github.com/pkg/errors v0.9.1 /usr/share/gocode/src/github.com/pkg/errors"
)
for m in "${modules[@]}"; do
  read -r path version dir <<<"$m"
  [ -d "$dir" ] || { echo "missing $dir (install the Debian golang-*-dev package)" >&2; exit 1; }
  d="$proxy/$path/@v"
  mkdir -p "$d" "$work/zip/$path@$version"
  echo "$version" >"$d/list"
  printf '{"Version":"%s","Time":"2023-01-01T00:00:00Z"}\n' "$version" >"$d/$version.info"
  if [ -f "$dir/go.mod" ]; then cp "$dir/go.mod" "$d/$version.mod"; else echo "module $path" >"$d/$version.mod"; fi
  (cd "$dir" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name LICENSE \) -exec cp {} "$work/zip/$path@$version/" \;)
  (cd "$work/zip" && zip -qr "$d/$version.zip" "$path@$version")
done

cp -r "$src" "$work/app"
cd "$work/app"
export GOPROXY="file://$proxy" GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GO111MODULE=on
export GOPATH="$work/gopath" GOCACHE="$work/gocache"
go mod tidy >/dev/null 2>&1 || go mod tidy
go build -trimpath -o "$out" .
