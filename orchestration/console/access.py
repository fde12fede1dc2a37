"""Who may open console pages: signed-in users (the admin's users), sent to the console's
own login page rather than the admin's (``settings.LOGIN_URL``)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required

signed_in = login_required(login_url="console:login")
