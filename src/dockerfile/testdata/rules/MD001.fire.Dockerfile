FROM debian:12-slim
RUN useradd app
USER app
RUN make install
USER root
CMD ["app"]
