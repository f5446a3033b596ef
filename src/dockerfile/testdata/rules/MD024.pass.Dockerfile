FROM alpine:3.20 AS base
HEALTHCHECK CMD ["true"]
FROM base
CMD ["app"]
