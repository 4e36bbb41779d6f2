"""Gunicorn's settings, read from the directory it starts in: the Dockerfile's, docker-compose's
and bench/serve.py's all start at the project root."""

# A sync worker busy longer than this is killed, and the transaction of its request rolled back
# (an import stores all of its rows or none). Every page answers well within it, a hostile
# upload included (tests/metrics/hostile: each answered within a few seconds); an import too
# large to wait for on a page is the import_responses command's job.
timeout = 30
# A worker told to stop (a deploy, a restart) finishes its request within this, or is killed.
graceful_timeout = 30
