"""The native API's filter backend: django-filter, with choices limited to what the caller sees.

A filter on a related object (``?tenant=``, ``?vcenter=``) validates the id against a
queryset; left at ``Model.objects.all()`` it answers "no such choice" for a missing id
but filters quietly for another tenant's, which tells the caller that id exists. Here
every such queryset is the caller's ``for_user`` view, so both read the same.
"""
from __future__ import annotations

from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend

from orchestration.models import Scope


class ScopedFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for choice in filterset.filters.values():
                if isinstance(choice, ModelChoiceFilter | ModelMultipleChoiceFilter):
                    scope_choices(choice, request.user)
        return filterset


def scope_choices(choice: ModelChoiceFilter | ModelMultipleChoiceFilter, user) -> None:
    """Offer only the rows ``user`` may view, where the model is tenant-scoped (has ``for_user``)."""
    queryset = choice.queryset
    if queryset is not None and not callable(queryset) and hasattr(queryset, "for_user"):
        choice.queryset = queryset.for_user(user, Scope.VIEW)
