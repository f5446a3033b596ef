FROM alpine:3.20
RUN chmod 1777 /tmp/shared && chmod -R u+rwX,go+rX /srv && chmod 755 /usr/local/bin/app
COPY --chmod=0755 app /app
