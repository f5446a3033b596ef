FROM debian:12-slim
RUN useradd app
USER app:app
CMD ["app"]
