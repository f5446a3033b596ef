FROM rockylinux:9
RUN dnf install -y nginx-1.20.1 && dnf clean all
RUN yum install -y git-2.39.3 && rm -rf /var/cache/yum
