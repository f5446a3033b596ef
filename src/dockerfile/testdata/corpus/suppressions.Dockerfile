FROM ubuntu:22.04
# mamori-ignore: MD008 versions come from the snapshot mirror pinned in sources.list
# hadolint ignore=DL3009
RUN apt-get update && apt-get install -y --no-install-recommends curl
# mamori-ignore: MD019 MD016
RUN curl -fsSL https://example.com/setup | sudo sh
RUN apt-get install -y --no-install-recommends jq \
    # mamori-ignore: MD008, MD007 jq is pinned by the base image digest
    && echo done
# hadolint ignore=DL3025 # the wrapper script handles signals
CMD start.sh
# mamori-ignore: MD999 no such rule

# mamori-ignore: MD001 nothing below
