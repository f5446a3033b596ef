# Typical first Dockerfile for an Express service.
FROM node:18
MAINTAINER Web Team <web@example.com>

ENV NODE_ENV=production
ENV SESSION_SECRET=keyboard-cat-2019

WORKDIR /usr/src/app

RUN apt-get update && apt-get install -y \
      python3 \
      make \
      g++

COPY package*.json ./
RUN npm install --omit=dev
RUN npm install -g pm2 && cd /usr/src/app && npm cache clean --force

COPY . .

EXPOSE 3000
CMD pm2-runtime start server.js
