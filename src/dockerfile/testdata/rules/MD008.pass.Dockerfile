FROM debian:12-slim
RUN apt-get install -y --no-install-recommends -t bookworm-backports curl=7.88.1-10+deb12u5 ./local.deb
