"""Turns service errors into pages in one place, so views stay thin."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from loa.core.errors import LoaError


class LoaErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, LoaError) and not request.path.startswith("/api/"):
            return render(request, "core/error.html", {"message": exception.message}, status=exception.status)
        return None
