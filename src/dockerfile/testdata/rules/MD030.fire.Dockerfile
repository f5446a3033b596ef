FROM alpine:3.20
CMD ["app", "--debug"]
ENTRYPOINT ["tini", "--"]
CMD ["app"]
