FROM debian:12-slim
RUN wget -qO- https://get.example.com | sh -s -- --yes
RUN sh -c "$(curl -fsSL https://raw.example.com/install.sh)"
