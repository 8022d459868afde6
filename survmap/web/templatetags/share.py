"""{% reuse_block "title" %}: a block's content rendered a second time, so the Open Graph tags
say what each page's <title> and description say without every page writing them twice."""

from __future__ import annotations

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def reuse_block(context: template.Context, name: str) -> SafeString | str:
    """The most derived version of the block `name` in this render, as the page shows it."""
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    if block_context is None:
        return ""
    found = block_context.get_block(name)
    if found is None:
        return ""
    # A copy, as BlockNode.render makes, so that {{ block.super }} inside it still works.
    block = BlockNode(found.name, found.nodelist)
    block.context = context
    with context.push(block=block):
        # Safe as rendered: the nodelist escapes what it renders, as where the block first is.
        rendered: SafeString = block.nodelist.render(context)
        return rendered
