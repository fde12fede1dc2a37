"""Routes of the cloud-compatible faces (included at the site root by ``config/urls.py``)."""
from django.urls import include, path

from orchestration.faces.router import root

urlpatterns = [
    path("", root, name="faces-root"),
    path("api/logic/oos/", include("orchestration.faces.baidu.urls")),
    path("", include("orchestration.faces.huawei.urls")),  # Huawei AOM /v1/{project_id}/cms/workflow-list
]
