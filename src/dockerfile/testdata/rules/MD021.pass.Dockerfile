FROM alpine:3.20
ENV AWS_REGION=eu-west-1
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
