"""Routes of the Huawei AOM face ."""
from django.urls import path

from .views import list_workflow

urlpatterns = [
    path("v1/<str:project_id>/cms/workflow-list", list_workflow, name="huawei-list-workflow"),
]
