from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from orchestration import row_counts
from orchestration.admin_audit import AuditedAdmin
from orchestration.admin_base import moment, row_table
from orchestration.admin_scoping import TenantScopedAdmin
from orchestration.errors import InvalidParameter, ServiceError
from orchestration.models import (
    AccessKey,
    Execution,
    ExecutionLog,
    ExecutionStatus,
    Membership,
    Project,
    Region,
    TaskExecution,
    TaskStatus,
    Tenant,
    TimerTrigger,
    WaitingFor,
    is_platform_staff,
)
from orchestration.services import execution_queries
from orchestration.services import executions as execution_service
from orchestration.services import triggers as trigger_service
from orchestration.services.task_execution_queries import (
    LogFilter,
    TaskExecutionFilter,
    filter_logs,
    filter_task_executions,
)


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = ["id", "name", "created_at"]
    readonly_fields = ["id", "created_at"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    list_display = ["id", "name", "email", "enabled", "allow_self_approval", "created_at"]
    list_filter = ["enabled", "allow_self_approval", "created_at"]
    search_fields = ["name", "email", "id"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [ProjectInline, MembershipInline]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        # Switching a tenant on or off is the platform's (see tenancy.update_tenant).
        if is_platform_staff(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "enabled"]


@admin.register(Project)
class ProjectAdmin(TenantScopedAdmin):
    list_display = ["id", "name", "tenant", "created_at"]
    list_filter = ["tenant", "created_at"]
    search_fields = ["id", "name", "tenant__name"]
    list_select_related = ["tenant"]

    def get_readonly_fields(self, request, obj=None):
        return ["id", "created_at"] if obj else ["created_at"]


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    """Regions are global: superusers manage them, tenant admins may look."""

    list_display = ["id", "alias", "created_at"]
    search_fields = ["id", "alias"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "user__email", "tenant__name"]
    list_select_related = ["user", "tenant"]


@admin.register(AccessKey)
class AccessKeyAdmin(TenantScopedAdmin):
    list_display = ["id", "owner", "tenant", "enabled", "created_at", "last_used_at"]
    list_filter = ["enabled", "tenant", "created_at"]
    search_fields = ["id", "owner__username", "tenant__name", "description"]
    list_select_related = ["owner", "tenant"]
    readonly_fields = ["id", "created_at", "last_used_at", "secret_notice"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["tenant", "owner", "description", "enabled"]
        return ["id", "tenant", "owner", "description", "enabled", "created_at", "last_used_at", "secret_notice"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "tenant", "owner"] if obj else []

    @admin.display(description="Secret")
    def secret_notice(self, obj) -> str:
        return format_html("<em>{}</em>", "Shown once, when the key was created; create a new key if it is lost.")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                format_html(
                    "Access key <code>{}</code> created. Its secret is <code>{}</code> — "
                    "copy it now: it will not be shown again.",
                    obj.id,
                    obj.secret,
                ),
            )


# ---------------------------------------------------------------------- executions

ROW_LIMIT = 50  # rows of each table on an execution's page; the console and the API page the rest


def _loop_summary(te: TaskExecution) -> str:
    loop = te.extra.get("loop")
    if not isinstance(loop, dict):
        return "—"
    return f"{loop.get('succeeded', 0)} ok / {loop.get('failed', 0)} failed of {len(loop.get('items') or ())}"


def task_rows_table(execution: Execution) -> str:
    """The first top-level task executions in run order, as the console lists them (a
    loop's items are paged on its own console page)."""
    rows = filter_task_executions(TaskExecution.objects.all(), TaskExecutionFilter(execution_id=execution.pk))
    first = rows.only("id", "task_name", "task_action", "status", "tries", "extra", "start_date", "end_date",
                      "status_message").order_by("created_at", "id")[:ROW_LIMIT]
    return row_table(
        ["ID", "Task name", "Task action", "Status", "Tries", "Loop", "Start date", "End date", "Status message"],
        [(te.pk, te.task_name, te.task_action, te.get_status_display(), te.tries, _loop_summary(te),
          moment(te.start_date), moment(te.end_date), te.status_message) for te in first],
    )


def log_rows_table(execution: Execution) -> str:
    """The newest log lines, oldest first."""
    newest = filter_logs(ExecutionLog.objects.all(), LogFilter(execution_id=execution.pk)).order_by("-id")
    return row_table(
        ["Created at", "Log type", "Task execution", "Message"],
        [(moment(log.created_at), log.get_log_type_display(), log.task_execution_id or "—", log.message)
         for log in reversed(newest[:ROW_LIMIT])],
    )


@admin.register(Execution)
class ExecutionAdmin(TenantScopedAdmin):
    """Executions are started and controlled through the API, console and services; here they are read.

    The actions cancel and approve go through the same services, as the signed-in user.
    """

    list_display = ["id", "template_name", "status", "mode", "executed_by", "tenant", "created", "started", "ended"]
    # Dates through a list filter, not date_hierarchy: its year/month links are a
    # SELECT DISTINCT over every row; counts are estimated past 1,000 rows (BaseAdmin).
    list_filter = ["status", "mode", "trigger", "tenant", "created_at"]
    search_fields = ["=id", "template_name", "executed_by"]  # see get_search_results
    list_select_related = ["tenant"]
    show_full_result_count = False
    actions = ["cancel_executions", "approve_waiting_tasks"]
    fieldsets = [
        (None, {"fields": ["id", "tenant", "project", "template_link", "template_name", "template_version",
                           "description", "executed_by", "trigger", "parent"]}),
        ("Status", {"fields": ["status", "status_reason", "status_message", "counters", "current_tasks",
                               "cancel_requested", "created_at", "start_date", "end_date", "updated_at"]}),
        ("Run options", {"fields": ["mode", "loop_mode", "safety_check", "client_token", "parameters", "outputs"]}),
        ("Logs", {"fields": ["log_summary"]}),
        ("Template content", {"classes": ["collapse"], "fields": ["content_view"]}),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]

    def get_search_results(self, request, queryset, search_term):
        """Django's search (each word in one of the fields, quotes kept together), with the
        ID and template name matched as the console's search matches them (the whole ID; the
        name by distinct name first: ``execution_queries.template_name_contains``)."""
        for word in smart_split(search_term):
            if len(word) > 1 and word[0] in "\"'" and word[0] == word[-1]:
                word = unescape_string_literal(word)
            queryset = queryset.filter(Q(pk=word) | Q(executed_by__icontains=word)
                                       | execution_queries.template_name_contains(word, queryset.db))
        return queryset, False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("template_content", "state")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting goes through the API (finished executions only)

    @admin.display(description="Created at", ordering="created_at")
    def created(self, execution) -> str:
        return moment(execution.created_at)

    @admin.display(description="Start date", ordering="start_date")
    def started(self, execution) -> str:
        return moment(execution.start_date)

    @admin.display(description="End date", ordering="end_date")
    def ended(self, execution) -> str:
        return moment(execution.end_date)

    @admin.display(description="Template")
    def template_link(self, execution) -> str:
        if execution.template_id is None:
            return "—"
        url = reverse("admin:templates_app_template_change", args=[execution.template_id])
        return format_html('<a href="{}">{}</a>', url, execution.template_id)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Adds the execution's task executions and newest log lines as plain tables, shown
        below the fields by ``admin/orchestration/execution/change_form.html``: inlines would
        build a form per row for rows nobody may edit."""
        if obj is not None:
            context["row_tables"] = [
                (f"Task executions (top-level, the first {ROW_LIMIT}; loop items in the console)",
                 task_rows_table(obj)),
                (f"Logs (newest {ROW_LIMIT} lines; every line through the API)", log_rows_table(obj)),
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Log lines")
    def log_summary(self, execution) -> str:
        # Exact up to 10,000 lines, PostgreSQL's estimate beyond (an execution may log millions).
        total, estimated = row_counts.count(ExecutionLog.objects.filter(execution=execution))
        url = f"/api/v1/executions/{execution.pk}/logs/"
        return format_html('{}{} lines; the newest {} are below. All of them: <a href="{}">{}</a>',
                           "~" if estimated else "", total, min(total, ROW_LIMIT), url, url)

    @admin.display(description="Content")
    def content_view(self, execution) -> str:
        return format_html('<pre style="max-height:24em;overflow:auto;white-space:pre">{}</pre>',
                           execution.template_content)

    def _report(self, request, done: int, verb: str, errors: list[str]) -> None:
        if done:
            messages.success(request, f"{verb} {done} execution(s).")
        for error in errors:
            messages.error(request, error)
        if not done and not errors:
            messages.warning(request, "Nothing to do for the selected executions.")

    @admin.action(description="Cancel selected executions")
    def cancel_executions(self, request, queryset):
        done, errors = 0, []
        for execution in queryset.exclude(status__in=(ExecutionStatus.SUCCESS, ExecutionStatus.FAILED,
                                                      ExecutionStatus.CANCELLED)):
            try:
                execution_service.cancel_execution(execution, request.user)
                done += 1
            except ServiceError as exc:
                errors.append(f"{execution.pk}: {exc.message}")
        self._report(request, done, "Cancel requested for", errors)

    @admin.action(description="Approve waiting tasks of selected executions")
    def approve_waiting_tasks(self, request, queryset):
        done, errors = 0, []
        for execution in queryset.filter(status=ExecutionStatus.WAITING):
            waiting = TaskExecution.objects.filter(execution=execution, status=TaskStatus.WAITING).order_by("id")
            targets = [te.pk for te in waiting if te.extra.get("waiting_for") in WaitingFor.values]
            for te_id in targets:
                try:
                    execution_service.notify_execution(execution, request.user, "Approve", task_execution_id=te_id,
                                                       note="Approved in the admin.")
                except ServiceError as exc:
                    errors.append(f"{execution.pk} / {te_id}: {exc.message}")
                    break
            else:
                done += bool(targets)
        self._report(request, done, "Approved the waiting tasks of", errors)


# What a person can approve: an ACS::Approve task, a high-risk task awaiting
# confirmation, a task waiting to be started by hand, a paused loop batch.


# ---------------------------------------------------------------------- timer triggers


class TimerTriggerForm(forms.ModelForm):
    """Runs the service's validation in ``clean`` so its errors land on the form's fields."""

    class Meta:
        model = TimerTrigger
        fields = ["tenant", "template", "template_version", "name", "cron", "run_at", "parameters", "mode",
                  "loop_mode", "safety_check", "enabled"]

    def clean(self):
        data = super().clean()
        try:
            trigger_service.check_trigger(
                cron=data.get("cron") or "",
                run_at=data.get("run_at"),
                enabled=data.get("enabled", True),
                template=data.get("template"),
                tenant=data.get("tenant") or (self.instance.tenant if self.instance.tenant_id else None),
            )
        except InvalidParameter as exc:
            self.add_error(exc.place if exc.place in self.fields else None, exc.message)
        return data


@admin.register(TimerTrigger)
class TimerTriggerAdmin(TenantScopedAdmin):
    form = TimerTriggerForm
    list_display = ["name", "tenant", "template", "cron", "run_at", "enabled", "owner", "next_run_at",
                    "last_run_at", "last_execution"]
    list_filter = ["enabled", "mode", "tenant"]
    search_fields = ["name", "template__name", "owner__username"]
    list_select_related = ["tenant", "template", "owner"]
    readonly_fields = ["owner", "next_run_at", "last_run_at", "last_execution", "last_error", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "tenant"] if obj else self.readonly_fields

    def get_queryset(self, request):
        # An execution's own timer (ACS::TimerTrigger) is seen and ended through its execution.
        return super().get_queryset(request).standalone()

    def save_model(self, request, obj, form, change):
        obj.owner = request.user  # runs go as whoever last set the trigger up
        trigger_service.save_trigger(obj)  # the form ran the same checks, so errors showed there

    def delete_model(self, request, obj):
        trigger_service.delete_trigger(obj)

    def delete_queryset(self, request, queryset):
        for trigger in queryset:
            trigger_service.delete_trigger(trigger)


from orchestration import admin_event_triggers, admin_orchtasks, admin_parameters  # noqa: E402, F401  (register their admins)
