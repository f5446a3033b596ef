FROM alpine:3.20
RUN chmod -R a+rwx /srv/uploads
COPY --chmod=777 app /app
