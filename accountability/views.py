from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cco.access import require_perm


def index(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    return render(request, "accountability/index.html")
