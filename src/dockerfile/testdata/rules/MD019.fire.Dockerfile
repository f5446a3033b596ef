FROM debian:12-slim
USER app
RUN sudo -u root chown app /data
