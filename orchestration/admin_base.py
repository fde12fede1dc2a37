"""The base of every admin class of this project: Django's ``ModelAdmin``, cheaper per row."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _


def row_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> SafeString:
    """Read-only rows as a table styled like an admin inline, every cell escaped.

    An inline renders a form per row, with hidden inputs through widget templates
    (~0.6 ms a row): rows nobody edits are cheaper formatted.
    """
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


class BaseAdmin(admin.ModelAdmin):
    def action_checkbox(self, obj) -> str:
        """The row's selection box, exactly as Django's ``CheckboxInput`` renders it.

        Django renders a widget template for every row's box: ~0.5 ms a row, a fifth of
        a 50-row changelist's time on the bench machine. The same markup, formatted.
        """
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )
