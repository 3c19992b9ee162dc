FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN useradd --create-home --uid 1000 portal
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=true DATABASE_URL=postgres://build/none REDIS_URL=redis://build python manage.py collectstatic --noinput
RUN mkdir -p /data/media && chown portal /data/media
USER portal
EXPOSE 8000
# gunicorn.conf.py: bind, workers, access log, no Server header (ADR 0012).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "prm.wsgi:application"]
