FROM node:20-slim
RUN npm ci && npm install -g typescript@5.4.5 @angular/cli@17.3.0 ./local-pkg
