FROM golang:1.22 AS build
RUN go build -o /app .
FROM debian:12-slim
COPY --from=build /app /app
CMD ["/app"]
