from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orchestration.api.fields import TenantField
from orchestration.services import tags as tag_service
from templates_app.models import Template, TemplateVersion
from templates_app.services.templates import TAG_RESOURCE


class TaggedListSerializer(serializers.ListSerializer):
    """Loads the tags of a whole page in one query instead of one per row."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.context["tags"] = tag_service.tags_of(TAG_RESOURCE, [item.pk for item in items])
        return super().to_representation(items)


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
class TagsField(serializers.Field):
    def to_representation(self, template):
        page_tags = self.context.get("tags")
        if page_tags is not None:
            return page_tags.get(template.pk, {})
        return tag_service.tags_of(TAG_RESOURCE, [template.pk]).get(template.pk, {})

    def to_internal_value(self, data):
        # source="*" merges what this returns into validated_data.
        if not isinstance(data, dict):
            raise serializers.ValidationError("tags must be an object of key/value pairs")
        return {"tags": data}


@extend_schema_field(OpenApiTypes.ANY)
class ContentField(serializers.Field):
    """Template content as text (JSON or YAML) or as an already-parsed JSON object."""

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        if not isinstance(data, str | dict):
            raise serializers.ValidationError("content must be a JSON/YAML string or an object")
        return data


class TemplateSerializer(serializers.ModelSerializer):
    tenant = TenantField(required=False, allow_null=True)
    version = serializers.CharField(source="version_name", read_only=True)
    tags = TagsField(source="*", required=False)
    content = ContentField()
    version_description = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Template
        list_serializer_class = TaggedListSerializer
        validators = []  # uniqueness is the service's rule (answered as a 409 conflict)
        fields = [
            "id", "tenant", "name", "description", "format", "content", "hash", "version", "version_description",
            "share_type", "template_type", "tags", "created_by", "created_at", "updated_by", "updated_at",
            "total_execution_count", "popularity", "has_trigger",
        ]
        read_only_fields = [
            "id", "description", "format", "hash", "share_type", "template_type", "created_by", "created_at",
            "updated_by", "updated_at", "total_execution_count", "popularity", "has_trigger",
        ]


class TemplateSummarySerializer(TemplateSerializer):
    """A template as listed: everything but the content."""

    class Meta(TemplateSerializer.Meta):
        fields = [f for f in TemplateSerializer.Meta.fields if f not in ("content", "version_description")]


class TemplateUpdateSerializer(TemplateSerializer):
    class Meta(TemplateSerializer.Meta):
        read_only_fields = [*TemplateSerializer.Meta.read_only_fields, "tenant", "name"]
        extra_kwargs = {"content": {"required": False}}


class TemplateVersionSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = TemplateVersion
        fields = ["version", "format", "hash", "description", "version_description", "created_by", "created_at",
                  "content"]


class TemplateVersionSummarySerializer(TemplateVersionSerializer):
    class Meta(TemplateVersionSerializer.Meta):
        fields = [f for f in TemplateVersionSerializer.Meta.fields if f != "content"]


class ContentRequestSerializer(serializers.Serializer):
    content = ContentField()


class ProblemSerializer(serializers.Serializer):
    place = serializers.CharField()
    message = serializers.CharField()


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = ProblemSerializer(many=True)
    parameters = serializers.DictField(allow_null=True)
    tasks = serializers.ListField(child=serializers.DictField(), allow_null=True)
    outputs = serializers.DictField(allow_null=True)


class DiffSerializer(serializers.Serializer):
    old = serializers.CharField()
    new = serializers.CharField()
    diff = serializers.CharField()


class RiskyTasksSerializer(serializers.Serializer):
    risky_tasks = serializers.ListField(child=serializers.DictField())


class PolicySerializer(serializers.Serializer):
    policy = serializers.DictField()
    missing_policy = serializers.ListField(child=serializers.DictField(), required=False)


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    description = serializers.CharField()
    risk = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())
    properties_schema = serializers.DictField()
    popularity = serializers.IntegerField()
