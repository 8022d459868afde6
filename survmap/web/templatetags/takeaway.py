"""Tags for taking the map elsewhere: the og:image of a page."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from survmap.geo.share_image import HEIGHT, WIDTH

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
