from typing import Any

from django.http import HttpRequest

NAVIGATION = [
    ("Dashboard", "home"),
    ("Roadmap", "roadmap:timeline"),
    ("Accountability", "accountability:home"),
    ("Metrics", "metrics:touchpoint-list"),
    ("You said, we did", "accountability:change-notes"),
    ("Departments", "department-list"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main navigation, with the section the page belongs to marked current."""
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    url_name = match.url_name if match else ""
    full = f"{namespace}:{url_name}" if namespace else url_name
    # A page with an item of its own marks that item; any other page of a section marks the
    # section's first item (Accountability, not "You said, we did", on a meeting page).
    own_item = any(name == full for _, name in NAVIGATION)
    items = []
    marked_sections: set[str] = set()
    for label, name in NAVIGATION:
        section = name.split(":")[0] if ":" in name else ""
        if own_item:
            current = name == full
        elif section:
            current = section == namespace and section not in marked_sections
            marked_sections.add(section)
        else:
            current = not namespace and name == url_name
        items.append({"label": label, "url_name": name, "current": bool(current)})
    return {"navigation": items}
