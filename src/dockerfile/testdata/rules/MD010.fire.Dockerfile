FROM fedora:40
RUN dnf install -y --setopt=tsflags=nodocs httpd && dnf clean all
