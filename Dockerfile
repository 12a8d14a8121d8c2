# poe-checker service: API, partner pre-check and reviewer queue.
#   docker build -t poe-checker .
#   docker run -p 8000:8000 -v poe-data:/data poe-checker                 # SQLite in the /data volume
#   docker run --rm -v poe-data:/data poe-checker poe-checker keys create --role reviewer
#   docker run -p 8000:8000 poe-checker poe-checker demo --host 0.0.0.0   # demo data and keys
# PostgreSQL: add -e POE_DATABASE_URL=postgresql+psycopg://USER:PASSWORD@HOST:5432/DB (see docs/service.md).
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY poe_checker ./poe_checker
RUN pip install --no-cache-dir .
COPY fixtures/packages ./fixtures/packages

RUN useradd --create-home --uid 10001 poe && mkdir /data && chown poe /data
USER poe
ENV POE_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["poe-checker", "serve", "--host", "0.0.0.0", "--port", "8000"]
