# A shell variable whose name says gpg, holding three fingerprints; a loop
# fetches each with gpg1 and the keys are exported into an apt keyring.
# Values: the nginx image's NGINX_GPGKEYS (see README.md).
FROM debian:stable-slim

RUN set -eu; \
    apt-get update && apt-get install -y --no-install-recommends gnupg1 ca-certificates; \
    NGINX_GPGKEYS="573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62 8540A6F18833A80E9C1653A42FD21310B49F6B46 9E9BE90EACBCDE69FE9B204CBCDCD8A38D88A2B3"; \
    ring=/usr/share/keyrings/web-server.gpg; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    for fpr in $NGINX_GPGKEYS; do \
        gpg1 --batch --keyserver hkp://keyserver.ubuntu.com:80 --recv-keys "$fpr" \
            || { echo >&2 "cannot fetch $fpr"; exit 1; }; \
    done; \
    gpg1 --export $NGINX_GPGKEYS > "$ring"; \
    echo "deb [signed-by=$ring] https://packages.example.org/debian stable main" > /etc/apt/sources.list.d/web-server.list; \
    rm -rf "$GNUPGHOME"
