FROM rockylinux:9
RUN dnf clean all && dnf install -y nginx-1.20.1
