FROM golang:1.22 AS build
RUN go build -o /app .
FROM alpine:3.20
COPY --from=biuld /app /app
RUN --mount=type=bind,from=later,target=/x true
FROM alpine:3.20 AS later
