FROM alpine:3.20
ADD https://example.com/tool-1.0.tar.gz /opt/
