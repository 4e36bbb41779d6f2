"""The API's one pagination class, a module of its own so the REST_FRAMEWORK setting can name it
without importing the API's views."""

from rest_framework.pagination import PageNumberPagination


class PageSizePagination(PageNumberPagination):
    """Every list: PAGE_SIZE a page unless `?page_size=` asks for another, up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500
