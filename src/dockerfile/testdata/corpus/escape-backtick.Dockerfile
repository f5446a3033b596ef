# escape=`
FROM alpine:3.20.1@sha256:b89d9c93e9ed3597455c90a0b88a8bbb5cb7188438f70953fede212a0c4394e0
RUN apk add --no-cache bash=5.2.26-r0 `
      curl=8.8.0-r0 && `
    printf 'C:\temp\path is literal here\n' > /note.txt && `
    chmod 0777 /note.txt
COPY scripts\ /scripts/
RUN adduser -D -u 10001 app
USER app
HEALTHCHECK CMD ["curl", "-fs", "http://localhost/"]
CMD ["/scripts/run.sh"]
