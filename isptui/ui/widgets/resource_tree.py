"""The lazy resource tree: entry-point groups → collections → records → their links.

Children are fetched in a worker when a node is first expanded, so a 100,000-record collection shows only
its first page and a "… N more" node; enter on that node fetches the next page into the tree (the table is
still the better place to browse thousands). Labels are cut to the tree's width with an ellipsis.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from isptui.backends.registry import CatalogueEntry
from isptui.errors import BackendError
from isptui.ui.places import Place
from isptui.ui.text import clean, cut, nice_title

if TYPE_CHECKING:
    # The adapter layer and pydantic models are imported once connecting (in a thread), not before the
    # tree's first paint from the declared catalogue (issue 15).
    from isptui.backends.base import Backend
    from isptui.model import EntryPoint, Page

TREE_PAGE = 25
LABEL_WIDTH = 60
"""Longest label kept at all; on screen labels are cut again to the tree's width."""


@dataclass(frozen=True)
class MoreRecords:
    """The data of a "… N more" node: the collection and the offset of the next page to put in the tree."""

    place: Place
    offset: int


NodeData = Place | MoreRecords | None


def _label(text: str, style: str = "") -> Text:
    return Text(cut(clean(text), LABEL_WIDTH), style=style)


def _more_label(total: int | None, shown: int) -> Text:
    more = total - shown if total is not None else None
    return Text(f"… {more:,} more (enter loads {TREE_PAGE})" if more else f"… more (enter loads {TREE_PAGE})",
                style="dim")


class ResourceTree(Tree[NodeData]):
    """What the backend offers, loaded on demand; enter opens the node in the main view."""

    DEFAULT_CSS = """
    ResourceTree { background: $surface; overflow-x: hidden; }
    """
    BINDINGS = [
        Binding("right", "expand_or_down", "Expand", show=False),
        Binding("left", "collapse_or_up", "Collapse", show=False),
    ]

    _paint: tuple[Style, int] | None = None
    """While a repaint draws: the tree's style and the width of its content."""

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

    def __init__(self, backend: Backend | None, *, title: str = "", id: str | None = None,
                 on_error: Callable[[BackendError], None] | None = None) -> None:
        """``backend`` None: not connected yet; expanding a node waits for :meth:`connected`."""
        name = title or ((backend.title or backend.name) if backend is not None else "")
        super().__init__(Text(clean(name)), data=None, id=id)
        self.backend = backend
        self._ready = asyncio.Event()
        if backend is not None:
            self._ready.set()
        self.show_root = False
        self.auto_expand = False
        self._on_error = on_error
        self._loaded: set[int] = set()

    def connected(self, backend: Backend) -> None:
        """The connection is made: loads waiting for it go ahead."""
        self.backend = backend
        self._ready.set()

    async def _backend(self) -> Backend:
        await self._ready.wait()
        assert self.backend is not None
        return self.backend

    @staticmethod
    def _place(entry: EntryPoint | CatalogueEntry) -> Place:
        if isinstance(entry, CatalogueEntry):  # declared, not yet discovered: no ref until connected
            return Place("collection", nice_title(entry.title), group=entry.group, entry=entry.key)
        return Place("collection", nice_title(entry.title), ref=entry.ref, group=entry.group, entry=entry.key)

    @staticmethod
    def _listable(entry: EntryPoint | CatalogueEntry) -> bool:
        if isinstance(entry, CatalogueEntry):
            return entry.listable
        return entry.capabilities.can_list and not entry.unavailable

    @staticmethod
    def _entry_label(entry: EntryPoint | CatalogueEntry, title: str) -> Text:
        """A collection's label; dimmed, and saying so, when the server does not answer it (Carbon)."""
        if isinstance(entry, CatalogueEntry) or not entry.unavailable:
            return _label(title)
        label = _label(title, "dim")
        label.append(" · not answered by this server", style="dim italic")  # enter still says why
        return label

    def _group_node(self, group: str) -> TreeNode[NodeData]:
        group = group or "Resources"
        for node in self.root.children:
            if node.data is None and str(node.label) == cut(clean(nice_title(group)), LABEL_WIDTH):
                return node
        return self.root.add(_label(nice_title(group), "bold"), data=None, expand=True)

    def show_entry_points(self, entries: Sequence[EntryPoint | CatalogueEntry]) -> None:
        """Fill the top levels: one node per group, collections under it."""
        self.clear()
        groups: dict[str, TreeNode[NodeData]] = {}
        first: TreeNode[NodeData] | None = None
        places: list[Place] = []
        for entry in entries:
            group = entry.group or "Resources"
            if group not in groups:
                groups[group] = self.root.add(_label(nice_title(group), "bold"), data=None, expand=True)
            place = self._place(entry)
            places.append(place)
            node = groups[group].add(self._entry_label(entry, place.title), data=place,
                                     allow_expand=self._listable(entry))
            first = first or node
        self.root.expand()
        if first is not None:
            # Start on the first collection, so enter opens something straight away.
            self.call_after_refresh(self.move_cursor, first, animate=False)
        if places:
            # With their group, so go-to can tell "CPEs · isp" from "CPEs · monitoring".
            self.post_message(self.PlacesFound(places))

    def reconcile(self, entries: Sequence[EntryPoint]) -> list[Place]:
        """Make the tree (painted from the declared catalogue) say what discovery found, in place: nodes
        kept are updated (so the cursor, expanded nodes and loads waiting on them stay), new entry points
        are added to their group, ones the server does not offer are removed. Returns the places of the
        collections now in the tree."""
        existing: dict[str, TreeNode[NodeData]] = {}
        for group in self.root.children:
            for node in group.children:
                if isinstance(node.data, Place) and node.data.entry:
                    existing[node.data.entry] = node
        if not existing:
            self.show_entry_points(entries)
            return [self._place(e) for e in entries]
        places = []
        for entry in entries:
            place = self._place(entry)
            places.append(place)
            node = existing.pop(entry.key, None)
            if node is None:
                self._group_node(entry.group).add(self._entry_label(entry, place.title), data=place,
                                                  allow_expand=self._listable(entry))
                continue
            node.data = place
            node.allow_expand = self._listable(entry)
            label = self._entry_label(entry, place.title)
            if str(node.label) != str(label):
                node.set_label(label)
        cursor = self.cursor_node
        for node in existing.values():
            if cursor is node and node.parent is not None:
                siblings = [n for n in node.parent.children if n is not node]
                target = siblings[0] if siblings else None
                if target is not None:
                    self.call_after_refresh(self.move_cursor, target, animate=False)
            node.remove()
        for group in list(self.root.children):
            if group.data is None and not group.children:
                group.remove()
        if places:
            self.post_message(self.PlacesFound(places))
        return places

    def render_lines(self, crop: Region) -> list[Strip]:
        # Textual's Tree looks up ``rich_style`` for every line it draws, blank ones included; it walks the
        # ancestors' styles (~0.2 ms a line): 40 lines of it were a third of the tree's repaint, which lands
        # in the same frame as a collection's first rows (issue 15). Once per repaint is enough, and so is the
        # width a label may take (a computed region, ~50 µs a line).
        self._paint = (self.rich_style, self.scrollable_content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        if self._paint is None:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        return self._render_line(y + scroll_y, scroll_x, scroll_x + self.size.width, self._paint[0])

    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        """The label, cut with ``…`` to what is left of the tree's width after the guides."""
        text = super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth += 1
            parent = parent.parent
        width = self._paint[1] if self._paint is not None else self.scrollable_content_region.width
        room = width - depth * self.guide_depth
        if room > 4 and text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        return text

    def action_expand_or_down(self) -> None:
        """``right``: open a closed node (loading its children), else step into it."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0], animate=False)

    def action_collapse_or_up(self) -> None:
        """``left``: close an open node, else go to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent, animate=False)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        event.stop()
        node = event.node
        if not isinstance(node.data, Place) or node.id in self._loaded:
            return
        self._loaded.add(node.id)
        node.add_leaf(Text("loading…", style="dim"), data=None)
        self.load_children(node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, MoreRecords):
            if event.node.id not in self._loaded:
                self._loaded.add(event.node.id)
                event.node.set_label(Text("loading…", style="dim"))
                self.load_more(event.node, data)
        elif isinstance(data, Place):
            self.post_message(self.PlaceChosen(self, data))

    def _add_records(self, node: TreeNode[NodeData], place: Place, page: Page, offset: int) -> list[Place]:
        crumb = " › ".join(place.crumbs)
        found: list[Place] = []
        mask = getattr(self.app, "mask", None)  # a record's title is often its person's name
        for record in page.items:
            title = mask.title(record.title, record.fields) if mask is not None else record.title
            child = Place("record", f"{record.id} {title}".strip(), ref=record.ref, parent=crumb)
            found.append(child)
            node.add(_label(child.title), data=child)
        shown = offset + len(page.items)
        if page.has_more and page.items:
            node.add_leaf(_more_label(page.total, shown), data=MoreRecords(place, shown))
        elif page.offset_ignored:
            # The next page came back as the first again: no "more" to offer, and the list is not the whole.
            of = f" of {page.total:,}" if page.total is not None else ""
            node.add_leaf(Text(f"(the server ignores offset: only the first {shown:,}{of} can be shown)",
                               style="dim"), data=None)
        return found

    @work(exclusive=False, group="tree", exit_on_error=False)
    async def load_children(self, node: TreeNode[NodeData]) -> None:
        """Records of a collection, or links of a record, as child nodes."""
        place = node.data
        assert isinstance(place, Place)
        found: list[Place] = []
        try:
            backend = await self._backend()  # expanded before the connection was made: wait for it
            from isptui.model import PageRequest  # imported once connected; see the top of the module
            from isptui.ui.widgets.record_view import EXTERNAL_MARK

            place = node.data  # the catalogue's place may have been replaced by the discovered one
            assert isinstance(place, Place)
            if place.kind == "collection" and place.ref is not None:
                page = await backend.list(place.ref, PageRequest(limit=TREE_PAGE))
                node.remove_children()
                found = self._add_records(node, place, page, 0)
                if not page.items:
                    node.add_leaf(Text("(empty)", style="dim"), data=None)
            elif place.kind == "record" and place.ref is not None:
                record = await backend.get(place.ref)
                node.remove_children()
                crumb = " › ".join(place.crumbs)
                for link in record.links:
                    child = Place("link", link.rel, link=link, ref=link.target, parent=crumb)
                    found.append(child)
                    label = f"{EXTERNAL_MARK}{link.rel} (external)" if link.external else f"→ {link.rel}"
                    node.add(_label(label), data=child, allow_expand=False)
                if not record.links:
                    node.add_leaf(Text("(no links)", style="dim"), data=None)
            elif place.kind == "link":
                node.remove_children()
                node.allow_expand = False
            elif place.kind == "collection":  # declared in the catalogue, not found by discovery
                node.remove_children()
                node.add_leaf(Text("(not offered by this server)", style="dim"), data=None)
        except BackendError as exc:
            node.remove_children()
            self._loaded.discard(node.id)
            node.collapse()
            if self._on_error is not None:
                self._on_error(exc)
            return
        if found:
            self.post_message(self.PlacesFound(found))

    @work(exclusive=False, group="tree", exit_on_error=False)
    async def load_more(self, node: TreeNode[NodeData], more: MoreRecords) -> None:
        """The next page of a collection, in place of its "… N more" node."""
        parent = node.parent
        assert parent is not None and more.place.ref is not None
        from isptui.model import PageRequest  # see the top of the module

        try:
            page = await (await self._backend()).list(more.place.ref, PageRequest(offset=more.offset, limit=TREE_PAGE))
        except BackendError as exc:
            self._loaded.discard(node.id)
            node.set_label(Text("… more (failed; enter tries again)", style="dim"))
            if self._on_error is not None:
                self._on_error(exc)
            return
        first_new = len(parent.children) - 1
        node.remove()
        found = self._add_records(parent, more.place, page, more.offset)
        if first_new < len(parent.children):
            # The cursor stays where enter was pressed: on the first of the new records.
            # After the refresh: the new nodes have no line numbers until the tree is laid out again.
            self.call_after_refresh(self.move_cursor, parent.children[first_new], animate=False)
        if found:
            self.post_message(self.PlacesFound(found))
