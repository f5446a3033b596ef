# One signing key and one checksum in ENV, checked by the RUN below.
# Values: the python image's GPG_KEY and the SHA-256 of Python 3.12.13's
# source tarball (see README.md).
FROM debian:stable-slim

ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305
ENV PY_RELEASE=3.12.13
ENV PYTHON_SHA256=c08bc65a81971c1dd5783182826503369466c7e67374d1646519adf05207b684

RUN set -e; \
    apt-get update && apt-get install -y --no-install-recommends curl gnupg dirmngr ca-certificates; \
    cd /tmp; \
    curl -fsSLo src.tar.xz "https://downloads.example.org/python/$PY_RELEASE/src.tar.xz"; \
    curl -fsSLo src.tar.xz.asc "https://downloads.example.org/python/$PY_RELEASE/src.tar.xz.asc"; \
    printf '%s  src.tar.xz\n' "$PYTHON_SHA256" | sha256sum -c -; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$GPG_KEY"; \
    gpg --batch --verify src.tar.xz.asc src.tar.xz; \
    rm -rf "$GNUPGHOME" src.tar.xz.asc
