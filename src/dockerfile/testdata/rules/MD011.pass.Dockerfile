FROM python:3.12-slim
RUN pip install --no-cache-dir requests==2.32.3 -r requirements.txt
RUN pip install --no-cache-dir . ./dist/app-1.0-py3-none-any.whl git+https://github.com/psf/requests@v2.32.3
