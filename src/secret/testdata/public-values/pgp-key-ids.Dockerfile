# Key ids with a 0x prefix under *_PGP_KEY_ID(S), and *_SOURCE_SHA256
# checksums, all in ENV. Values: the rabbitmq image's OpenSSL and RabbitMQ
# signing keys and the SHA-256 of openssl-3.5.7.tar.gz and of the Erlang/OTP
# 27.3.4.13 source tarball (see README.md).
FROM alpine:3.22

ENV OPENSSL_SOURCE_SHA256="a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8"
ENV OPENSSL_PGP_KEY_IDS="0xBA5473A2B0587B07FB27CF2D216094DFD0CB81EF"
ENV OTP_SOURCE_SHA256="38308102d1f7e44339911ddc5e3a94a6b4bbb0ef8a5fc392e2e4b280daf0fc9e"
ENV RABBITMQ_PGP_KEY_ID=0x0A9AF2115F4687BD29803A206B73A36E6026DFCA

ARG KEYSERVER=keyserver.ubuntu.com

RUN set -eu; \
    apk add --no-cache --virtual .fetch curl gnupg; \
    mkdir -p /src && cd /src; \
    curl -fsSLo tls.tar.gz https://downloads.example.org/openssl/openssl-3.5.7.tar.gz; \
    curl -fsSLo tls.tar.gz.asc https://downloads.example.org/openssl/openssl-3.5.7.tar.gz.asc; \
    curl -fsSLo otp.tar.gz https://downloads.example.org/otp/otp-27.3.4.13.tar.gz; \
    curl -fsSLo broker.tar.xz https://downloads.example.org/rabbitmq/rabbitmq-server.tar.xz; \
    curl -fsSLo broker.tar.xz.asc https://downloads.example.org/rabbitmq/rabbitmq-server.tar.xz.asc; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    for id in $OPENSSL_PGP_KEY_IDS; do \
        gpg --batch --keyserver "$KEYSERVER" --recv-keys "$id"; \
    done; \
    gpg --batch --verify tls.tar.gz.asc tls.tar.gz; \
    echo "$OPENSSL_SOURCE_SHA256 *tls.tar.gz" | sha256sum -c -; \
    echo "$OTP_SOURCE_SHA256 *otp.tar.gz" | sha256sum -c -; \
    gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$RABBITMQ_PGP_KEY_ID"; \
    gpg --batch --verify broker.tar.xz.asc broker.tar.xz; \
    rm -rf "$GNUPGHOME"; \
    apk del .fetch
