"""Native API routes of the templates app."""
from templates_app.api import views

routes = [
    ("templates", views.TemplateViewSet, None),
    ("actions", views.ActionViewSet, "action"),
]
