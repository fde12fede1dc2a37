"""Baidu OOS routes, mounted at ``/api/logic/oos/`` (bce-python-sdk's ``OosClient.prefix``)."""
from django.urls import path

from . import executions, views

urlpatterns = [
    path("v2/template", views.template, name="baidu-template"),
    path("v2/template/check", views.template_check, name="baidu-template-check"),
    path("v2/template/list", views.template_list, name="baidu-template-list"),
    path("v1/operator/list", views.operator_list, name="baidu-operator-list"),
    path(
        "v2/execution",
        views.endpoint(POST=executions.create_execution, GET=executions.get_execution),
        name="baidu-execution",
    ),
]
