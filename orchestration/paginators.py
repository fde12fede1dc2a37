"""A page-number paginator that never counts a million rows to show a page.

The console's lists and the admin changelists number their pages, so they need a count;
:func:`orchestration.row_counts.count` gives it exactly up to 10,000 rows and as
PostgreSQL's estimate beyond, shown as "~N" pages.
"""
from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from orchestration import row_counts


class EstimatedCountPaginator(Paginator):
    estimated = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        total, self.estimated = row_counts.count(self.object_list)
        return total

    @property
    def num_pages_label(self) -> str:
        """The page count as shown: "~27440" when it rests on an estimate."""
        return f"~{self.num_pages}" if self.estimated else str(self.num_pages)
