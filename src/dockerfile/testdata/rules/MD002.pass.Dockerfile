FROM ubuntu:24.04 AS base
FROM base
FROM scratch
