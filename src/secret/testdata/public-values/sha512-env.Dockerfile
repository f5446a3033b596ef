# A SHA-512 in ENV in the legacy "ENV name value" form, and single-quoted
# fingerprints in a for loop that keeps only those keys of a downloaded KEYS
# file. Values: the tomcat:10.1 image's TOMCAT_SHA512 (apache-tomcat-10.1.59)
# and two fingerprints from Apache Tomcat's KEYS file (see README.md).
FROM eclipse-temurin:21-jre

ENV TOMCAT_SHA512 992a8e88fc9c0338445f018a1e4a2757c9e71708dba795e2864c9b1613f2b3b9b19c048e787682deae6d6bff9971defc746e31282085d52ef1d32192e09f7a0f

RUN set -eu; \
    cd /tmp; \
    curl -fsSLo server.tar.gz https://downloads.example.org/tomcat/apache-tomcat-10.1.59.tar.gz; \
    curl -fsSLo server.tar.gz.asc https://downloads.example.org/tomcat/apache-tomcat-10.1.59.tar.gz.asc; \
    curl -fsSLo all-KEYS https://downloads.example.org/tomcat/KEYS; \
    echo "$TOMCAT_SHA512 *server.tar.gz" | sha512sum --strict -c -; \
    GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
    gpg --batch --import all-KEYS; \
    : > trusted-KEYS; \
    for key in \
        'A9C5DF4D22E99998D9875A5110C01C5A2F6059E7' \
        '5C3C5F3E314C866292F359A8F3AD5C94A67F707E' \
    ; do \
        gpg --batch --fingerprint "$key"; \
        gpg --batch --armor --export "$key" >> trusted-KEYS; \
    done; \
    rm -rf "$GNUPGHOME"; GNUPGHOME="$(mktemp -d)"; \
    gpg --batch --import trusted-KEYS; \
    gpg --batch --verify server.tar.gz.asc server.tar.gz; \
    rm -rf "$GNUPGHOME" all-KEYS trusted-KEYS server.tar.gz.asc
