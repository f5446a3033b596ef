# A public key file fetched over the network and pinned by its SHA-512,
# held in a shell variable named KEY_SHA512. Value: the SHA-512 of
# nginx_signing.rsa.pub as the nginx image pins it (see README.md).
FROM alpine:3.22

RUN set -eu; \
    KEY_SHA512="e09fa32f0a0eab2b879ccbbc4d0e4fb9751486eedda75e35fac65802cc9faa266425edf83e261137a2f4d16281ce2c1a5f4502930fe75154723da014214f0655"; \
    wget -qO /tmp/signing.rsa.pub https://downloads.example.org/keys/signing.rsa.pub; \
    if printf '%s  %s\n' "$KEY_SHA512" /tmp/signing.rsa.pub | sha512sum -c -; then \
        mv /tmp/signing.rsa.pub /etc/apk/keys/; \
    else \
        echo >&2 "signing key does not match its pinned digest"; \
        exit 1; \
    fi; \
    echo "https://packages.example.org/alpine/main" >> /etc/apk/repositories
