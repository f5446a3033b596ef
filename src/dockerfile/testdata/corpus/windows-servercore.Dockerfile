# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022

SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]

RUN Invoke-WebRequest -Uri https://nodejs.org/dist/v20.14.0/node-v20.14.0-x64.msi -OutFile node.msi; `
    Start-Process msiexec.exe -Wait -ArgumentList '/i', 'node.msi', '/quiet'; `
    Remove-Item node.msi

WORKDIR C:\app
COPY package.json C:\app\
RUN npm install --omit=dev
COPY . C:\app\
EXPOSE 3000
CMD node server.js
