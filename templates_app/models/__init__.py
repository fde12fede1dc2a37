from .templates import ShareType, Template, TemplateFormat, TemplateQuerySet, TemplateVersion

__all__ = ["ShareType", "Template", "TemplateFormat", "TemplateQuerySet", "TemplateVersion"]
