"""What the accountability pages share: htmx detection and the versioned save of a form."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import HttpRequest

from accountability.forms import VersionedForm
from cco.errors import VersionConflict
from cco.forms import add_service_errors
from cco.models import Department

M = TypeVar("M", bound=Model)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def departments_for(user: Any) -> Any:
    """Departments the person may create action items in."""
    if user.is_cco:
        return Department.objects.order_by("name")
    if user.is_department_head and user.department_id:
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


@dataclass
class VersionedSave(Generic[M]):
    """What a versioned save came to, for the page to show."""

    obj: M  # the saved object, the current one after a conflict, or the one read before
    form: Form
    status: int  # 200 saved, 400 input refused, 409 someone else saved first
    conflict: VersionConflict | None = None


def versioned_save(
    request: HttpRequest,
    form_class: type[VersionedForm],
    *,
    obj: M,
    current: QuerySet[M],
    save: Callable[..., M],
) -> VersionedSave[M]:
    """Validate the posted form and save it: `save(actor=…, expected_version=…, **fields)`,
    the form's other fields being the service's keyword arguments.

    A refusal comes back on the form (400). A conflict (409) shows the object as it is now,
    read from `current`, and the person's own input again, based on the current version: after
    reading the other change they can save without retyping.
    """
    form = form_class(request.POST)
    if not form.is_valid():
        return VersionedSave(obj, form, 400)
    fields = dict(form.cleaned_data)
    try:
        saved = save(actor=request.user, expected_version=fields.pop("version"), **fields)
    except VersionConflict as conflict:
        data = request.POST.copy()
        data["version"] = str(conflict.current_version)
        rebased = form_class(data)
        rebased.is_valid()
        return VersionedSave(current.get(pk=obj.pk), rebased, 409, conflict)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return VersionedSave(obj, form, 400)
    return VersionedSave(saved, form, 200)
