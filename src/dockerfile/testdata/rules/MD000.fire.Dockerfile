FROM alpine:3.20
# mamori-ignore: MD009
RUN apk add --no-cache curl
