FROM alpine:3.20
ADD config.yaml entrypoint.sh /app/
