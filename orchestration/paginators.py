"""A page-number paginator that never counts a million rows to show a page.

The console's lists and the admin changelists number their pages, so they need a count;
:func:`orchestration.row_counts.count` gives it exactly up to 10,000 rows (the admin's:
1,000) and as PostgreSQL's estimate beyond, shown as "~N".
"""
from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from orchestration import row_counts


class EstimatedCountPaginator(Paginator):
    estimated = False
    exact_up_to = row_counts.CAP

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        total, self.estimated = row_counts.count(self.object_list, cap=self.exact_up_to)
        return total

    @property
    def num_pages_label(self) -> str:
        """The page count as shown: "~27440" when it rests on an estimate."""
        return f"~{self.num_pages}" if self.estimated else str(self.num_pages)


class AdminPaginator(EstimatedCountPaginator):
    """The admin changelists': exact up to 1,000 rows (20 pages), estimated beyond ("~N").

    A search over a million rows counts what it matches; counting 10,000 matches means
    rechecking each against every searched column, which cost a vSphere task search
    (six columns) more than its page. Staff page with filters, not to page 200.
    """

    exact_up_to = 1_000
