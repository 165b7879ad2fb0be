"""Template filters available in every template (registered as a builtin in settings)."""

from django import template
from django.utils.safestring import SafeString

from reallabor.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text)
