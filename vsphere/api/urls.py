"""The vSphere task-list API's routes, mounted by ``config/urls.py`` at ``/v1/vsphere/``."""
from django.urls import path

from .task_views import ResourceTaskList, RootRecentTaskList, RootTaskList

urlpatterns = [
    path("task/root_recent/list", RootRecentTaskList.as_view(), name="vsphere-task-root-recent"),
    path("task/root/list", RootTaskList.as_view(), name="vsphere-task-root"),
    path("task/resource/list", ResourceTaskList.as_view(), name="vsphere-task-resource"),
]
