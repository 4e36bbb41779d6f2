"""No Docker engine runs in CI, so the compose file is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_stack_has_database_broker_web_worker_and_beat():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_the_servers_use_official_images_with_healthchecks():
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("postgres", "redis", "web", "worker"):
        assert "test" in services[name]["healthcheck"], name


def test_the_app_services_are_built_here_and_point_at_postgres_and_redis():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://cco:cco@postgres:5432/")
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["DEBUG"] == "0"
        assert env["SECRET_KEY"]
        assert "redis" in service["depends_on"]


def test_web_migrates_then_serves_with_gunicorn_and_the_workers_run_celery():
    services = compose()["services"]
    web = services["web"]["command"]
    assert web.index("migrate") < web.index("gunicorn cco.wsgi:application")
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["worker"]["command"].startswith("celery -A cco worker")
    assert services["beat"]["command"].startswith("celery -A cco beat")


def test_the_image_installs_the_project_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "pip install" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER " in dockerfile
