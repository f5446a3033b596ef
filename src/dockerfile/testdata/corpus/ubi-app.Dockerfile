FROM registry.access.redhat.com/ubi9/ubi:9.4
RUN dnf install -y nginx-1.20.1 python3-pip && \
    dnf clean all
RUN yum install -y git
RUN pip3 install requests==2.32.3
RUN microdnf install -y procps-ng
USER 1001
HEALTHCHECK CMD ["curl", "-f", "http://localhost:8080/"]
CMD ["nginx", "-g", "daemon off;"]
