"""The lazy resource tree: entry-point groups → collections → records → their links.

Children are fetched in a worker when a node is first expanded, so a 100,000-record collection shows only
its first page (and a "more…" node) in the tree; the table is the place to browse it.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from isptui.backends.base import Backend
from isptui.errors import BackendError
from isptui.model import EntryPoint, PageRequest
from isptui.ui.places import Place
from isptui.ui.text import clean, cut

TREE_PAGE = 25
LABEL_WIDTH = 40


def _label(text: str, style: str = "") -> Text:
    return Text(cut(clean(text), LABEL_WIDTH), style=style)


class ResourceTree(Tree[Place | None]):
    """What the backend offers, loaded on demand; enter opens the node in the main view."""

    DEFAULT_CSS = """
    ResourceTree { background: $surface; overflow-x: hidden; }
    """

    class PlaceChosen(Message):
        """Enter on a collection, record or link node."""

        def __init__(self, tree: ResourceTree, place: Place) -> None:
            super().__init__()
            self.tree = tree
            self.place = place

    class PlacesFound(Message):
        """Records or links were discovered while expanding (for go-to completion)."""

        def __init__(self, places: list[Place]) -> None:
            super().__init__()
            self.places = places

    def __init__(self, backend: Backend, *, id: str | None = None,
                 on_error: Callable[[BackendError], None] | None = None) -> None:
        super().__init__(Text(backend.title or backend.name), data=None, id=id)
        self.backend = backend
        self.show_root = False
        self.auto_expand = False
        self._on_error = on_error
        self._loaded: set[int] = set()

    def show_entry_points(self, entries: list[EntryPoint]) -> None:
        """Fill the top levels: one node per group, collections under it."""
        self.clear()
        groups: dict[str, TreeNode[Place | None]] = {}
        first: TreeNode[Place | None] | None = None
        for entry in entries:
            group = entry.group or "Resources"
            if group not in groups:
                groups[group] = self.root.add(_label(group, "bold"), data=None, expand=True)
            place = Place("collection", entry.title, ref=entry.ref)
            node = groups[group].add(_label(entry.title), data=place, allow_expand=entry.capabilities.can_list)
            first = first or node
        self.root.expand()
        if first is not None:
            # Start on the first collection, so enter opens something straight away.
            self.call_after_refresh(self.move_cursor, first, animate=False)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Place | None]) -> None:
        event.stop()
        node = event.node
        if node.data is None or node.id in self._loaded:
            return
        self._loaded.add(node.id)
        node.add_leaf(Text("loading…", style="dim"), data=None)
        self.load_children(node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Place | None]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.PlaceChosen(self, event.node.data))

    @work(exclusive=False, group="tree", exit_on_error=False)
    async def load_children(self, node: TreeNode[Place | None]) -> None:
        """Records of a collection, or links of a record, as child nodes."""
        place = node.data
        assert place is not None
        found: list[Place] = []
        try:
            if place.kind == "collection" and place.ref is not None:
                page = await self.backend.list(place.ref, PageRequest(limit=TREE_PAGE))
                node.remove_children()
                crumb = " › ".join(place.crumbs)
                for record in page.items:
                    child = Place("record", f"{record.id} {record.title}".strip(), ref=record.ref, parent=crumb)
                    found.append(child)
                    node.add(_label(child.title), data=child)
                if page.has_more:
                    more = page.total - len(page.items) if page.total is not None else None
                    node.add_leaf(Text(f"… {more:,} more (open the table)" if more else "… more (open the table)",
                                       style="dim"), data=place)
            elif place.kind == "record" and place.ref is not None:
                record = await self.backend.get(place.ref)
                node.remove_children()
                crumb = " › ".join(place.crumbs)
                for link in record.links:
                    child = Place("link", link.rel, link=link, ref=link.target, parent=crumb)
                    found.append(child)
                    node.add(_label(f"→ {link.rel}"), data=child, allow_expand=False)
                if not record.links:
                    node.add_leaf(Text("(no links)", style="dim"), data=None)
            elif place.kind == "link":
                node.remove_children()
                node.allow_expand = False
        except BackendError as exc:
            node.remove_children()
            self._loaded.discard(node.id)
            node.collapse()
            if self._on_error is not None:
                self._on_error(exc)
            return
        if found:
            self.post_message(self.PlacesFound(found))
