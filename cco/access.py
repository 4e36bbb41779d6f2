"""Permission-checked fetches: load an object and check the person may see or change it."""

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from cco.models import User

M = TypeVar("M", bound=Model)


def require_perm(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(f"You may not do this ({perm.split('.')[-1].replace('_', ' ')}).")


def person_with_role(request: HttpRequest) -> "User":
    """The signed-in person, refused with 403 unless they hold a role in the programme."""
    user = request.user
    require_perm(user, "cco.view_product")
    return cast("User", user)


def get_for_user(
    user: Any, queryset: type[M] | QuerySet[M], perm: str = "cco.view_product", **lookup: Any
) -> M:
    """Fetch one object (404 when missing) and refuse with 403 unless `perm` allows it."""
    obj = get_object_or_404(queryset, **lookup)
    require_perm(user, perm, obj)
    return obj
