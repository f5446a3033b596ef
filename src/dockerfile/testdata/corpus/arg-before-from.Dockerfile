ARG PYTHON_VERSION=3.12
ARG BASE_IMAGE=python:${PYTHON_VERSION}-slim
ARG RUNTIME_IMAGE

FROM ${BASE_IMAGE} AS base
ENV PIP_NO_CACHE_DIR=1
RUN pip install poetry==1.8.3

FROM base AS deps
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry export -o requirements.txt && pip install -r requirements.txt

FROM ${RUNTIME_IMAGE:-python:3.12-slim}
RUN useradd --create-home app
WORKDIR /app
COPY --from=deps /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages
COPY --from=1 /app /app
USER app
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
CMD ["python", "-m", "app"]
