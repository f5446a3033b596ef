# A list of signing keys in one ENV (= form, quoted) and a checksum; a loop
# over the list fetches the keys. Values: the php:8.3 image's GPG_KEYS and the
# SHA-256 of php-8.3.33.tar.xz (see README.md).
FROM alpine:3.22

ENV GPG_KEYS="1198C0117593497A5EC5C199286AF1F9897469DC C28D937575603EB4ABB725861C0779DC5C0A9DE4 AFD8691FDAEDF03BDF6E460563F15A9B715376CA"
ENV PHP_SHA256="e293ed620cec74651bb4a071317892a478aa6840fab22db45c72d77cd42f9676"

RUN set -e; \
    apk add --no-cache --virtual .verify curl gnupg; \
    mkdir -p /src && cd /src; \
    curl -fsSLo php.tar.xz https://downloads.example.org/php/php-8.3.33.tar.xz; \
    curl -fsSLo php.tar.xz.asc https://downloads.example.org/php/php-8.3.33.tar.xz.asc; \
    [ -z "$PHP_SHA256" ] || echo "$PHP_SHA256 *php.tar.xz" | sha256sum -c -; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    for key in $GPG_KEYS; do \
        gpg --batch --keyserver keyserver.ubuntu.com --recv-keys "$key"; \
    done; \
    gpg --batch --verify php.tar.xz.asc php.tar.xz; \
    rm -rf "$GNUPGHOME"; \
    apk del .verify
