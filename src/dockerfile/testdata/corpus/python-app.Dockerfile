FROM python:3.11

ARG DJANGO_SECRET_KEY=django-insecure-9x!v2k$8w
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
RUN pip install --no-cache-dir gunicorn

ADD . /app/
RUN chmod -R 777 /app/media

EXPOSE 8000
CMD gunicorn mysite.wsgi:application --bind 0.0.0.0:8000
