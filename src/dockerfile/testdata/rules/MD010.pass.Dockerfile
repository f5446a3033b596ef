FROM fedora:40
RUN dnf install -y --setopt=tsflags=nodocs httpd-2.4.59 && dnf clean all
RUN yum install -y /tmp/pkg.rpm && yum clean all
