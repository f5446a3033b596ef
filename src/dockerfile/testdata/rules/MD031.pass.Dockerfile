FROM golang:1.22 AS Build
RUN go build -o /app .
FROM alpine:3.20
COPY --from=build /app /app
COPY --from=0 /app /app2
COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/nginx/
RUN --mount=type=bind,from=build,source=/app,target=/x true
