"""The base class of every built-in action in the catalog.

An action is a small class, never instantiated by the language layer: the template
validator reads its class attributes (property schema, type), the risk and policy
analysis reads ``risk``/``service``/``api``/``permissions``, and ``ListActions`` reads
:meth:`Action.describe`. Behaviour belongs to the engine issue, which implements
``start``/``poll``/``cancel`` on subclasses (see the docstrings below for the contract).

Nothing here imports Django, so the catalog is importable from pure-Python code and tests.
"""

from __future__ import annotations

from typing import Any, ClassVar

ACTION_TYPES = ("Atomic.Control", "Atomic.Trigger", "Atomic.API", "Product.VSphere")
RISK_LEVELS = ("Low", "Medium", "High")


class Action:
    """A built-in action (``Tasks[].Action`` in a template).

    Class attributes describe the action; subclasses override them.

    * ``name`` — the ``OOSActionName``, e.g. ``ACS::Sleep``.
    * ``type`` — one of :data:`ACTION_TYPES` (``ActionType`` in ListActions).
    * ``properties_schema`` — JSON Schema (draft 2020-12) of ``Tasks[].Properties``. The
      validator checks literal values against it; values that are still expressions
      (``{{ … }}`` or ``Fn::`` calls) are checked only once rendered, by the engine.
    * ``risk`` — ``Low``/``Medium``/``High``; High actions are listed by
      ListExecutionRiskyTasks.
    * ``service``/``api`` — the grouping ListExecutionRiskyTasks reports (``Service``,
      ``API``), e.g. ``VSphere``/``PowerOffVM``.
    * ``permissions`` — policy actions (``service:Operation``) an execution needs to run
      this action; GenerateExecutionPolicy collects them.
    * ``jump_properties`` — names of properties holding task names this action may jump
      to (``ACS::Choice``); the validator treats them as graph edges.

    Engine contract (implemented by the engine issue; the defaults raise
    ``NotImplementedError``). ``ctx`` is the engine's task-execution context: rendered
    properties, execution/task ids, a logger, and the persisted ``state`` dict.

    * ``start(ctx)`` — begin the work; must return quickly (never sleep or block).
      Returns a result the engine stores: done with outputs, or waiting (with a wake-up
      time) when the work continues asynchronously.
    * ``poll(ctx)`` — called at the wake-up time for an action that is waiting; same
      result shape as ``start``. Must be idempotent: a restarted worker may poll twice.
    * ``cancel(ctx)`` — best-effort stop of an action that is waiting.
    """

    name: ClassVar[str] = ""
    type: ClassVar[str] = "Atomic.API"
    description: ClassVar[str] = ""
    properties_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    risk: ClassVar[str] = "Low"
    permissions: ClassVar[tuple[str, ...]] = ()
    service: ClassVar[str] = "OOS"
    api: ClassVar[str] = ""
    popularity: ClassVar[int] = 0
    template_version: ClassVar[str | None] = None
    created_date: ClassVar[str] = "2024-01-01T00:00:00Z"
    jump_properties: ClassVar[tuple[str, ...]] = ()
    # True: start/poll only read or write this service's own database, so the engine
    # may call them inside its transaction (a crash rolls them back with it). False:
    # they reach the outside world and are called between transactions, after the
    # try is committed as started, so a crash never starts the same try twice.
    synchronous: ClassVar[bool] = True
    # True for trigger actions: a run the task started itself (a child execution of the same
    # template) skips this task instead of arming another trigger.
    skip_in_fired_runs: ClassVar[bool] = False

    @classmethod
    def call_seconds(cls, properties: dict[str, Any]) -> float:
        """The longest one start/poll call may take; the engine's lease covers it."""
        return 30.0

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        """Permissions needed for these (unrendered) properties; most actions are static."""
        return list(cls.permissions)

    @classmethod
    def jump_targets(cls, properties: dict[str, Any]) -> list[tuple[str, str]]:
        """(place under Properties, task name) pairs this action may jump to."""
        return []

    @classmethod
    def template_problems(cls, properties: dict[str, Any], index: int, tasks: list[Any]) -> list[tuple[str, str]]:
        """Problems only this action can see in its task, as (place under the task, message).

        For rules a property schema cannot say: which services a call can reach here, where
        in the template the task may stand. ``properties`` are unrendered: a value that is
        still an expression is checked by the engine once rendered, not here.
        """
        return []

    @classmethod
    def is_high_risk(cls) -> bool:
        return cls.risk == "High"

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """This action in ListActions' ``Actions[]`` shape."""
        props = {}
        for key, sub in cls.properties_schema.get("properties", {}).items():
            props[key] = {
                "Description": sub.get("description", ""),
                "Type": _schema_type_name(sub),
            }
        out: dict[str, Any] = {
            "OOSActionName": cls.name,
            "ActionType": cls.type,
            "Description": cls.description,
            "CreatedDate": cls.created_date,
            "Properties": props,
            "RiskLevel": cls.risk,
            "Permissions": list(cls.permissions),
            "Popularity": cls.popularity,
        }
        if cls.template_version:
            out["TemplateVersion"] = cls.template_version
        return out

    def start(self, ctx: Any) -> Any:
        raise NotImplementedError(f"{self.name}: start() belongs to the engine")

    def poll(self, ctx: Any) -> Any:
        raise NotImplementedError(f"{self.name}: poll() belongs to the engine")

    def cancel(self, ctx: Any) -> Any:
        raise NotImplementedError(f"{self.name}: cancel() belongs to the engine")


_TYPE_NAMES = {
    "string": "String",
    "integer": "Number",
    "number": "Number",
    "boolean": "Boolean",
    "array": "List",
    "object": "Json",
}


def _schema_type_name(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        t = t[0] if t else None
    return _TYPE_NAMES.get(t, "Json") if t else "Json"
