# A fingerprint in a plain shell variable named key, which gpg then receives
# as "$key"; and a fingerprint given straight to --recv-keys. Values: the
# MySQL Release Engineering key and the gosu release key, as the mysql image
# names them (see README.md).
FROM debian:stable-slim

RUN set -e; \
    apt-get update && apt-get install -y --no-install-recommends gnupg dirmngr ca-certificates curl; \
    curl -fsSLo /usr/local/bin/gosu https://downloads.example.org/gosu/gosu-amd64; \
    curl -fsSLo /tmp/gosu.asc https://downloads.example.org/gosu/gosu-amd64.asc; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys B42F6819007F00F88E364FD4036A9C25BF357DD4; \
    gpg --batch --verify /tmp/gosu.asc /usr/local/bin/gosu; \
    chmod 0755 /usr/local/bin/gosu; \
    rm -rf "$GNUPGHOME" /tmp/gosu.asc

RUN set -e; \
    key='A4A9406876FCBD3C456770C88C718D3B5072E1F5'; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    gpg --batch --keyserver keyserver.ubuntu.com --recv-keys "$key"; \
    mkdir -p /etc/apt/keyrings; \
    gpg --batch --export "$key" > /etc/apt/keyrings/database.gpg; \
    rm -rf "$GNUPGHOME"
