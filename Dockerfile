FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cco cco
COPY metrics metrics
COPY roadmap roadmap
COPY accountability accountability
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 cco && chown -R cco /app
USER cco
EXPOSE 8000
CMD ["gunicorn", "cco.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
