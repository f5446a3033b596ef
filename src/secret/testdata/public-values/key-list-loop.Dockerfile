# Release keys written out as the word list of a for loop; the loop body
# hands each one to gpg, trying a second keyserver when the first fails.
# Values: Node.js release keys (see README.md).
FROM ubuntu:24.04

ARG RUNTIME_VERSION=22.23.2

RUN set -e; \
    apt-get update && apt-get install -y --no-install-recommends curl gnupg xz-utils ca-certificates; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    for key in \
        C82FA3AE1CBEDC6BE46B9360C43CEC45C17AB93C \
        108F52B48DB57BB0CC439B2997B01419BD92F80A \
        8FCCA13FEF1D0C2E91008E09770F7A9A5AE15600 \
        A363A499291CBBC940DD62E41F10027AF002F8B0 \
    ; do \
        gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$key" \
            || gpg --batch --keyserver keyserver.ubuntu.com --recv-keys "$key"; \
    done; \
    cd /tmp; \
    curl -fsSLO "https://downloads.example.org/runtime/v$RUNTIME_VERSION/SHASUMS256.txt.asc"; \
    curl -fsSLO "https://downloads.example.org/runtime/v$RUNTIME_VERSION/runtime-linux-x64.tar.xz"; \
    gpg --batch --output SHASUMS256.txt --decrypt SHASUMS256.txt.asc; \
    grep ' runtime-linux-x64.tar.xz$' SHASUMS256.txt | sha256sum -c -; \
    tar -xJf runtime-linux-x64.tar.xz -C /opt; \
    rm -rf "$GNUPGHOME" /tmp/*
