FROM alpine:3.20
ENV AWS_REGION=eu-west-1
# Published by design: the OpenPGP fingerprint python's image verifies its download with.
ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D
# AWS's documentation example, and stand-ins for a token.
ENV AWS_DOC_KEY_ID=AKIAIOSFODNN7EXAMPLE
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > /tmp/npmrc && rm /tmp/npmrc
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
