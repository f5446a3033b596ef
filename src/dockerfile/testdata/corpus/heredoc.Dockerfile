# syntax=docker/dockerfile:1.7
FROM debian:bookworm-20240513-slim@sha256:804194b909ef23fb995d9412c9378fb3505fe2427b70f3cc425339e48a828fca

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl
curl -fsSL https://get.example.com/install.sh | bash
rm -rf /var/lib/apt/lists/*
EOF

RUN <<EOT python3
import os
print("sudo apt-get install is only text here", os.getpid())
EOT

COPY <<EOF /etc/app/app.conf
listen = 0.0.0.0:8080
# sudo chmod 777 / is configuration text, not a command
EOF

RUN 3<<CONF cat /dev/fd/3 > /etc/app/extra.conf && chmod 644 /etc/app/extra.conf
mode = strict \
FROM nothing
CONF

RUN <<-SCRIPT bash
	set -e
	cd /tmp
	sudo true
	SCRIPT

RUN useradd --uid 10001 app
USER 10001
HEALTHCHECK CMD ["curl", "-fs", "http://localhost:8080/health"]
CMD ["/usr/local/bin/app"]
