from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


class HasRole(BasePermission):
    """Reads need a role; writes ask the rule the view names.

    A view sets `create_permission` (checked on POST to the list) and `change_permission`
    (checked against the object on PUT/PATCH/DELETE); both default to the CCO-only rule.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user.has_perm("cco.view_product"):
            return False
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "create" or getattr(view, "detail", None) is False:
            return user.has_perm(getattr(view, "create_permission", "cco.manage_product"))
        return not user.is_executive

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return request.user.has_perm(getattr(view, "change_permission", "cco.manage_product"), obj)


class ReadByRolesWriteByCCO(BasePermission):
    """Settings of the whole product: everyone with a role reads them, only the CCO changes
    them (the service checks again)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user.has_perm("cco.view_product"))
        return bool(request.user.has_perm("cco.manage_product"))
