"""Small template helpers: icons from the vendored sprite, sortable headers, query strings."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name, css_class=""):
    """An inline Bootstrap icon from the vendored SVG sprite (no icon web font)."""
    return format_html(
        '<svg class="bi {}" aria-hidden="true"><use href="{}#{}"></use></svg>',
        css_class,
        static("vendor/bootstrap-icons/bootstrap-icons.svg"),
        name,
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None drops one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("includes/_sort_th.html", takes_context=True)
def sort_th(context, field, label, css_class=""):
    """A column header that sorts by `field`, toggling direction on a second click."""
    current = context["request"].GET.get("sort", "")
    if current == field:
        new, direction = f"-{field}", "asc"
    elif current == f"-{field}":
        new, direction = field, "desc"
    else:
        new, direction = field, ""
    params = context["request"].GET.copy()
    params["sort"] = new
    params.pop("page", None)
    return {"href": f"?{params.urlencode()}", "label": label, "direction": direction, "css_class": css_class}


@register.filter
def mask_phone(value):
    """138****5678: enough to recognise, not enough to call."""
    from petitions.ledger.privacy import mask_phone as mask

    return mask(str(value or ""))


@register.filter
def percent(value):
    """A rate (0–1) as "93.5%"; a dash when there is nothing to divide by."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def days(value):
    """An average number of days to one decimal; a dash when nothing was counted."""
    return "—" if value is None else f"{value:.1f}"
