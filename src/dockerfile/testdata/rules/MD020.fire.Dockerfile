FROM alpine:3.20
ENV DB_PASSWORD=hunter2hunter2 API_URL=https://api.example.com
LABEL com.example.api-token="abcd1234"
