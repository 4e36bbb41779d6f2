"""The pages load only the partial plotly.js bundle, and it can draw every trace the product builds.

A figure whose trace type is missing from the bundle is drawn as an empty box with no error the
server could see, so the trace types are read from every chart module and checked here.
"""

import ast
import re
from pathlib import Path

import plotly.offline

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "vendor" / "plotly-basic.min.js"
CHART_MODULES = sorted(
    path
    for app in ("cco", "metrics", "roadmap", "accountability", "overview")
    for path in (ROOT / app).glob("**/charts.py")
)
# plotly's graph_objects names that are traces; go.Figure and go.Layout are not.
NOT_TRACES = {"Figure", "Layout", "FigureWidget"}


def registered_traces() -> set[str]:
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', BUNDLE.read_text()))


def traces_the_product_builds() -> set[str]:
    """`go.Scatter(...)` and plain dicts with a "type" beside "x", "y" or "values" (a trace)."""
    found: set[str] = set()
    for path in CHART_MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if isinstance(node.func.value, ast.Name) and node.func.value.id == "go":
                    if node.func.attr not in NOT_TRACES:
                        found.add(node.func.attr.lower())
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if "type" in keys and keys & {"x", "y", "values"}:
                    for key, value in zip(node.keys, node.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "type":
                            assert isinstance(value, ast.Constant), f"{path}: computed trace type"
                            found.add(value.value)
    return found


def test_the_chart_modules_are_found():
    assert {p.parent.name for p in CHART_MODULES} >= {"overview", "metrics", "roadmap"}
    assert "scatter" in traces_the_product_builds()


def test_every_trace_type_the_product_builds_is_in_the_shipped_bundle():
    missing = traces_the_product_builds() - registered_traces()
    assert not missing, f"plotly-basic does not draw {sorted(missing)}: use a larger partial bundle"


def test_the_shipped_bundle_is_the_partial_basic_bundle():
    head = BUNDLE.read_text()[:200]
    assert "plotly.js (basic - minified)" in head
    assert registered_traces() == {"scatter", "bar", "pie"}
    # The full bundle is 4.8 MB; the basic one 1.2 MB (395 kB gzipped).
    assert BUNDLE.stat().st_size < 1_400_000
    assert not (ROOT / "static" / "vendor" / "plotly.min.js").exists()


def test_the_bundle_has_the_major_version_the_python_package_writes_figures_for():
    version = re.search(r"v(\d+)\.\d+\.\d+", BUNDLE.read_text()[:200])
    assert version is not None
    assert version.group(1) == plotly.offline.get_plotlyjs_version().split(".")[0]


def test_no_template_loads_the_full_bundle():
    for template in (ROOT / "templates").glob("**/*.html"):
        assert "plotly.min.js" not in template.read_text(), template


def test_production_serves_the_bundle_compressed_under_a_hashed_name_cached_for_long(
    tmp_path, settings
):
    import shutil

    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.http import HttpResponse
    from django.test import RequestFactory
    from whitenoise.middleware import WhiteNoiseMiddleware

    # Only the bundle: collecting every app's files would take minutes.
    source = tmp_path / "source" / "vendor"
    source.mkdir(parents=True)
    shutil.copy(BUNDLE, source / BUNDLE.name)
    settings.STATICFILES_DIRS = [source.parent]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.DEBUG = False
    call_command("collectstatic", "--noinput", verbosity=0)
    url = staticfiles_storage.url("vendor/plotly-basic.min.js")
    assert re.search(r"/vendor/plotly-basic\.min\.[0-9a-f]{12}\.js$", url), url
    serve = WhiteNoiseMiddleware(get_response=lambda request: HttpResponse(status=404))
    response = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, br"))
    assert response.status_code == 200
    assert response["Content-Encoding"] in ("gzip", "br")
    assert int(response["Content-Length"]) < 450_000
    assert "immutable" in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) >= 365 * 86400
