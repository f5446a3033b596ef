FROM alpine:3.20 AS one
CMD ["one"]
FROM alpine:3.20
ENTRYPOINT ["tini", "--"]
CMD ["app"]
