FROM debian:12-slim
RUN chown app /data
USER app
