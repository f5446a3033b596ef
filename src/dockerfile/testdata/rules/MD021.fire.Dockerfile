FROM alpine:3.20
ENV CI_CONFIG="aws_access_key_id=AKIAZ7QWERTYUIOPL2KJ"
RUN echo "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789" > /root/.npmrc
