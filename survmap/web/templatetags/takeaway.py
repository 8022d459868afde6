"""Tags for taking the map elsewhere: the og:image of a page, the map page's download link and
iframe code."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from survmap.maps.share_image import HEIGHT, WIDTH

register = template.Library()


@register.simple_tag(takes_context=True)
def og_image(context: template.Context, url_name: str, arg: str, alt: str) -> SafeString:
    """The Open Graph image tags for a page's share image (an absolute address, as crawlers
    need one)."""
    request = context.get("request")
    path = reverse(url_name, args=[arg])
    url = request.build_absolute_uri(path) if request is not None else path
    return format_html(
        '<meta property="og:image" content="{}">\n'
        '  <meta property="og:image:type" content="image/png">\n'
        '  <meta property="og:image:width" content="{}">\n'
        '  <meta property="og:image:height" content="{}">\n'
        '  <meta property="og:image:alt" content="{}">\n'
        '  <meta name="twitter:card" content="summary_large_image">',
        url,
        WIDTH,
        HEIGHT,
        alt,
    )


@register.inclusion_tag("web/_map_takeaway.html", takes_context=True)
def map_takeaway(context: template.Context) -> dict[str, Any]:
    """'Download this map' and the iframe code for the view the map page shows."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("focus", None)
    suffix = f"?{query.urlencode()}" if query else ""
    embed = reverse("web:embed") + suffix
    embed_url = request.build_absolute_uri(embed) if request is not None else embed
    # Plain text (the template escapes it once more for the textarea, which shows it as is).
    code = (
        f'<iframe src="{escape(embed_url)}" title="survmap: police surveillance partnerships" '
        'width="100%" height="480" loading="lazy" referrerpolicy="no-referrer" '
        'style="border:0"></iframe>'
    )
    return {
        "download_url": reverse("web:map_html") + suffix,
        "embed_url": embed_url,
        "iframe_code": code,
    }
