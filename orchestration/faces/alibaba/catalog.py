"""ListActions: the built-in action catalog in its Alibaba shape."""
from __future__ import annotations

from typing import Any

from orchestration.actions import all_actions
from orchestration.faces.paging import page

from .registry import Call, action


@action("ListActions")
def list_actions(call: Call) -> dict[str, Any]:
    p = call.params
    # The seed spells the filter "OOSSActionName"; the SDKs send "OOSActionName".
    name = (p.str("OOSActionName") or p.str("OOSSActionName") or "").lower()
    kind = p.str("ActionType")
    matching = [cls for cls in all_actions() if name in cls.name.lower() and (kind is None or cls.type == kind)]
    size = p.int("MaxResults", default=50, minimum=20, maximum=100)
    items, next_token = page(matching, p.str("NextToken"), size)
    return {"Actions": [cls.describe() for cls in items], "MaxResults": size, "NextToken": next_token}
