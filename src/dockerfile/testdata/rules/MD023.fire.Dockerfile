FROM alpine:3.20
EXPOSE 80/tcp 22/tcp
