FROM alpine:latest
