#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian 12 machine (system
# packages, npm packages), then type-checks, lints, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
# Debian packages the tests use as real peers and fixture builders.
PACKAGES=(
  mmdebstrap umoci skopeo          # build and convert real images
  docker-registry apache2-utils    # CNCF Distribution with htpasswd auth
  rpm sqlite3 db-util              # real rpm databases
  golang-go                        # go version -m, Go fixture binaries
  golang-github-google-uuid-dev golang-github-pkg-errors-dev golang-golang-x-net-dev  # modules of the Go fixtures
  node-semver                      # npm package vendored by the application-layer fixture
  python3                          # importlib.metadata
  zstd zip unzip binutils gcc      # layer and archive fixtures
  default-jdk-headless             # jar, java
  libcommons-lang3-java libslf4j-java libguava-java libcommons-io-java  # real Maven jars
  ruby-cvss-suite                  # an independent CVSS implementation
  python3-packaging ruby libmaven3-core-java golang-golang-x-mod-dev php-cli php-composer-semver  # native version comparers
  openssh-client                   # ssh-keygen: private keys for the secret-detection tests
  postgresql                       # the registry state store's PostgreSQL path (a throwaway cluster per test run)
  curl                             # an independent HTTPS client for the registry server's TLS test
  rsyslog                          # a real syslog receiver for the audit log's forwarder
  bpftrace runc apparmor strace linux-libc-dev  # the runtime sensor: kernel events, real containers, profile checks
  openssl ca-certificates debian-archive-keyring
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run format:check
npm run build
npm test
