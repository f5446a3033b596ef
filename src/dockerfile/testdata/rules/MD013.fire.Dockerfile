FROM alpine:3.20
RUN apk update && apk add curl=8.8.0-r0
