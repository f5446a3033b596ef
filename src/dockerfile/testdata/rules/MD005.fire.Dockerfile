FROM golang:1.22 AS build
RUN go build -o /app .
FROM build
CMD ["/app"]
