#!/usr/bin/env bash
# Builds a Go application (default scripts/go-fixture) into OUT, a binary
# with module build info, offline: the modules it needs come from Debian's
# golang-*-dev packages, served to the Go toolchain through a file-based
# module proxy.
# Usage: scripts/build-go-fixture.sh OUT [APPDIR]
set -euo pipefail
out=${1:?usage: $0 OUT [APPDIR]}
src=$(cd "${2:-$(dirname "$0")/go-fixture}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

proxy="$work/proxy"
# module path, version, Debian source directory, what to serve:
#   flat  the top-level package only
#   tree  every package below it (tests left out)
#   mod   only the go.mod (a requirement of a module above that no build compiles)
modules=(
  "github.com/google/uuid v1.3.0 /usr/share/gocode/src/github.com/google/uuid flat"
  "github.com/pkg/errors v0.9.1 /usr/share/gocode/src/github.com/pkg/errors flat"
  "golang.org/x/net v0.7.0 /usr/share/gocode/src/golang.org/x/net tree"
  "golang.org/x/text v0.7.0 - mod"
  "golang.org/x/sys v0.5.0 - mod"
  "golang.org/x/term v0.5.0 - mod"
)
for m in "${modules[@]}"; do
  read -r path version dir mode <<<"$m"
  d="$proxy/$path/@v"
  mkdir -p "$d"
  echo "$version" >"$d/list"
  printf '{"Version":"%s","Time":"2023-01-01T00:00:00Z"}\n' "$version" >"$d/$version.info"
  if [ "$mode" = mod ]; then
    printf 'module %s\n\ngo 1.17\n' "$path" >"$d/$version.mod"
    continue
  fi
  [ -d "$dir" ] || { echo "missing $dir (install the Debian golang-*-dev package)" >&2; exit 1; }
  if [ -f "$dir/go.mod" ]; then cp "$dir/go.mod" "$d/$version.mod"; else echo "module $path" >"$d/$version.mod"; fi
  z="$work/zip/$path@$version"
  mkdir -p "$z"
  if [ "$mode" = tree ]; then
    (cd "$dir" && find . -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name LICENSE \) \
      ! -path '*/testdata/*' -exec cp --parents {} "$z/" \;)
  else
    (cd "$dir" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name LICENSE \) -exec cp {} "$z/" \;)
  fi
  (cd "$work/zip" && zip -qr "$d/$version.zip" "$path@$version")
done

cp -r "$src" "$work/app"
cd "$work/app"
export GOPROXY="file://$proxy" GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GO111MODULE=on
export GOPATH="$work/gopath" GOCACHE="$work/gocache"
go mod tidy >/dev/null 2>&1 || go mod tidy
go build -trimpath -o "$out" .
