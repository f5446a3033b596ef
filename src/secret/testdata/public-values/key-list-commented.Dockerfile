# A for loop over fingerprints with a comment line naming each key's holder,
# and a checksum in ENV (= form). Values: fingerprints from the Apache HTTP
# Server KEYS file and the SHA-256 of httpd-2.4.68.tar.bz2 (see README.md).
FROM debian:stable-slim

ENV HTTPD_VERSION=2.4.68
ENV HTTPD_SHA256=68c74d4df38c26bed4dfbdb8f3baf1eb532f3872357becc1bba5d136f6b63c06

RUN set -e; \
    apt-get update && apt-get install -y --no-install-recommends wget gnupg dirmngr bzip2 ca-certificates; \
    cd /tmp; \
    wget -qO httpd.tar.bz2 "https://downloads.example.org/httpd/httpd-$HTTPD_VERSION.tar.bz2"; \
    wget -qO httpd.tar.bz2.asc "https://downloads.example.org/httpd/httpd-$HTTPD_VERSION.tar.bz2.asc"; \
    echo "$HTTPD_SHA256  httpd.tar.bz2" | sha256sum -c -; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    for key in \
# Jim Jagielski (Release Signing Key)
        A93D62ECC3C8EA12DB220EC934EA76E6791485A8 \
# Eric Covener
        65B2D44FE74BD5E3DE3AC3F082781DE46D5954FA \
# Joe Orton (Release Signing Key)
        93525CFCF6FDFFB3FD9700DD5A4B10AE43B56A27 \
# Stefan Eissing
        26F51EF9A82F4ACB43F1903ED377C9E7D1944C66 \
    ; do \
        gpg --batch --keyserver keyserver.ubuntu.com --recv-keys "$key"; \
    done; \
    gpg --batch --verify httpd.tar.bz2.asc httpd.tar.bz2; \
    rm -rf "$GNUPGHOME" httpd.tar.bz2.asc
