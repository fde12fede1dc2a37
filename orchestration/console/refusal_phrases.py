"""The services' refusals the console can meet, for :mod:`.phrases` to show in the active language.

Services refuse in English (``ServiceError``): the API faces return the text as it is,
in their own envelopes. A console form or error page shows it through
:func:`.phrases.translate`; ``InvalidParameter``'s "place: reason" is read there as the
place and a reason translated from this list.
"""
from __future__ import annotations

from django.utils.translation import gettext_noop

REFUSAL_PHRASES = (
    # any service
    gettext_noop("%(entity)s %(name)s does not exist."),
    gettext_noop("must be one of %(choices)s, got %(value)s"),
    gettext_noop("must be a string, got %(value)s"),
    gettext_noop("must be at most %(n)s characters, got %(given)s"),
    gettext_noop("must be an object of key/value pairs"),
    gettext_noop("at most %(n)s tags, got %(given)s"),
    gettext_noop("tag key %(key)s must be 1–128 characters"),
    gettext_noop("tag %(key)s: value must be a string of at most 128 characters"),
    gettext_noop("a resource has at most %(n)s tags"),
    # templates (templates_app.services.templates)
    gettext_noop("use 1–200 letters, digits, '-' or '_'"),
    gettext_noop("names starting with %(prefixes)s are reserved for built-in templates"),
    gettext_noop("the template content is required"),
    gettext_noop("public templates are changed only by the built-in loader"),
    gettext_noop("a template named %(name)s already exists"),
    gettext_noop("%(name)s is a public template: it can be run but not changed"),
    gettext_noop("%(value)s is not a version name such as v1"),
    # executions (services.executions, engine.operations)
    gettext_noop("a template or an inline template is required"),
    gettext_noop("default cannot be evaluated: %(detail)s"),
    gettext_noop("give 1 to %(n)s execution ids, got %(given)s"),
    gettext_noop("execution %(id)s is %(status)s; cancel it before deleting it"),
    gettext_noop("execution %(id)s is %(status)s"),
    gettext_noop("execution %(id)s is %(status)s in %(mode)s mode"),
    gettext_noop("only a Failed execution can be re-run; %(id)s is %(status)s"),
    gettext_noop("the execution has no failed task to resume from"),
    gettext_noop("only a finished execution can be run again; %(id)s is %(status)s"),
    gettext_noop("a child execution is started by its parent; run the parent again"),
    gettext_noop("no task execution waiting for this notification (%(what)s)"),
    gettext_noop("the template has no task %(name)s"),
    gettext_noop("ExecuteTask needs a Debug execution, a paused one or a task waiting to be started by hand"),
    # the parameter store (services.parameter_rules, services.parameters)
    gettext_noop("use 2–180 letters, digits, '-', '_' or '/', starting with a letter, digit or '_'"),
    gettext_noop("a name may not start with %(prefixes)s"),
    gettext_noop("a secret parameter's Type is Secret"),
    gettext_noop("required: String or StringList"),
    gettext_noop("must be String or StringList, not %(value)s"),
    gettext_noop("text of at most %(n)s characters"),
    gettext_noop("must be a JSON object"),
    gettext_noop("unknown constraint %(key)s (known: %(keys)s)"),
    gettext_noop("AllowedValues must be a non-empty list of text"),
    gettext_noop("AllowedPattern must be a regular expression of at most %(n)s characters"),
    gettext_noop("%(key)s must be a whole number from 0 to %(n)s"),
    gettext_noop("MinLength is above MaxLength"),
    gettext_noop("required: 1 to 4096 characters"),
    gettext_noop("nothing to update: give a Value or a Description"),
    gettext_noop("%(entity)s %(name)s already exists."),
    gettext_noop("a secret parameter's value is read only with decryption"),
    gettext_noop("Only an admin of tenant %(tenant)s may read a secret parameter's value."),
    # schedules and triggers (services.triggers, services.event_triggers, services.timer_expressions)
    gettext_noop("give either a cron expression or a one-off run_at time"),
    gettext_noop("%(value)s is not a cron expression: %(detail)s"),
    gettext_noop("must be in the future"),
    gettext_noop("required: the template the trigger runs"),
    gettext_noop("the template belongs to another tenant"),
    gettext_noop("must be a list of event type names such as VmPoweredOffEvent"),
    gettext_noop("must be an object of template parameters"),
    gettext_noop("%(name)s is not known here; use event.entity.moref, event.entity.name, event.type, "
                 "event.user, event.time, event.message or event.alarm.status"),
    gettext_noop("cannot be rendered from the event: %(detail)s"),
    gettext_noop("%(value)s is not a time zone such as Asia/Shanghai or UTC"),
    gettext_noop("%(value)s is not a date such as 2030-12-29T09:19:30Z or 2030-12-29"),
    gettext_noop("%(value)s is not a rate such as '30 minutes', '1 hour' or '2 days'"),
    gettext_noop("day of week %(n)s is not 1 (Sunday) to 7 (Saturday)"),
    gettext_noop("required for a %(kind)s timer (when its runs stop)"),
    gettext_noop("must be after StartDate"),
    # OrchTasks (services.orchtasks, services.orchtask_specs)
    gettext_noop("is required"),
    gettext_noop("give at least one step, or a Condition that selects the resources"),
    gettext_noop("must be 1 to 128 characters, got %(given)s"),
    gettext_noop("must be at most 100 characters, got %(given)s"),
    gettext_noop("selects no resource in the synced inventory; nothing to execute"),
    gettext_noop("task %(id)s is %(status)s; abort it before deleting it"),
    gettext_noop("task %(id)s is %(status)s; abort it (Operation=Abort) before changing its steps"),
    gettext_noop("resource %(id)s is listed twice in the step"),
    gettext_noop("resourceIDs lists no resource; every step needs at least one"),
    gettext_noop("resource %(id)s (%(name)s) is a VM template and cannot be operated"),
)
