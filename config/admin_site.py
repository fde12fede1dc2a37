"""The Django admin site of this service: its names, and a navigation sidebar drawn once a minute.

Django draws the sidebar (every model the staff member may open, ~30 rows with their
links) on every admin page, ~10 ms of a changelist that otherwise takes 30–60 ms. The
drawn sidebar is kept a minute per user, language and current model
(``templates/admin/base_site.html``), and the app list behind it is only built when
it is drawn. The sidebar is navigation, not authorization: every page still checks the
staff member's permissions, so a permission just taken away can leave a link for at
most a minute, which then answers 403.
"""
from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.functional import SimpleLazyObject

NAV_SIDEBAR_SECONDS = 60  # read by templates/admin/base_site.html


class OpsAdminSite(admin.AdminSite):
    site_header = site_title = "vSphere Operations Orchestration"
    index_title = "Administration"
    site_url = "/console/"  # "View site" opens the console, not the API

    def each_context(self, request):
        context = super().each_context(request)
        context["nav_sidebar_seconds"] = NAV_SIDEBAR_SECONDS
        return context

    def get_app_list(self, request, app_label=None):
        """Built when first read: a page whose sidebar comes from the cache never builds it."""
        build = super().get_app_list
        return SimpleLazyObject(lambda: build(request, app_label))


class OpsAdminConfig(AdminConfig):
    default_site = "config.admin_site.OpsAdminSite"
