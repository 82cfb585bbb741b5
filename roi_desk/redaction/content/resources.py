"""A stream's resource dictionary, copied before the first change."""

from __future__ import annotations

from typing import Any

import pikepdf


class Resources:
    """A resource dictionary that is copied before the first change (it may be shared)."""

    def __init__(self, container: Any, resources: Any) -> None:
        self.container = container
        self.original = resources if isinstance(resources, pikepdf.Dictionary) else None
        self.copy: pikepdf.Dictionary | None = None
        #: XObject names replaced by a redacted copy, and names still drawn afterwards
        self.replaced: set[str] = set()
        self.used: set[str] = set()
        #: shadings removed under a box, and shadings still painted elsewhere
        self.dropped_shadings: set[str] = set()
        self.kept_shadings: set[str] = set()
        #: shading patterns removed under a box, and patterns still painted elsewhere
        self.dropped_patterns: set[str] = set()
        self.kept_patterns: set[str] = set()

    def get(self, category: str, name: Any) -> Any:
        res = self.copy if self.copy is not None else self.original
        if res is None:
            return None
        sub = res.get(category)
        if not isinstance(sub, pikepdf.Dictionary):
            return None
        return sub.get(name)

    def _category(self, category: str) -> pikepdf.Dictionary:
        """This stream's own copy of one category (copy-on-write: a page or form that
        shares the resources keeps its originals — issue 14, shared resources)."""
        if self.copy is None:
            base = self.original if self.original is not None else pikepdf.Dictionary()
            self.copy = pikepdf.Dictionary({k: v for k, v in base.items()})
            self._copied: set[str] = set()
        if category not in self._copied:
            sub = self.copy.get(category)
            items = sub.items() if isinstance(sub, pikepdf.Dictionary) else []
            self.copy[category] = pikepdf.Dictionary({k: v for k, v in items})
            self._copied.add(category)
        sub_copy = self.copy[category]
        assert isinstance(sub_copy, pikepdf.Dictionary)
        return sub_copy

    def add_xobject(self, xobject: pikepdf.Object, stem: str = "RdX") -> pikepdf.Name:
        xdict = self._category("/XObject")
        n = 1
        while f"/{stem}{n}" in xdict:
            n += 1
        name = pikepdf.Name(f"/{stem}{n}")
        xdict[name] = xobject
        return name

    def replace(self, category: str, name: Any, value: pikepdf.Object) -> None:
        """Point ``name`` at a redacted copy in this stream's resources only."""
        self._category(category)[pikepdf.Name(str(name))] = value

    def commit(self) -> None:
        """Attach the copy (if any) to the container; call once the rewrite succeeded."""
        if self.dropped_patterns - self.kept_patterns:
            pdict = self._category("/Pattern")
            for name in self.dropped_patterns - self.kept_patterns:
                if name in pdict:
                    del pdict[name]
        if self.dropped_shadings - self.kept_shadings:
            sdict = self._category("/Shading")
            for name in self.dropped_shadings - self.kept_shadings:
                if name in sdict:
                    del sdict[name]
        if self.copy is not None:
            # the unredacted originals must not stay reachable from this page's resources
            xdict = self.copy.get("/XObject")
            if isinstance(xdict, pikepdf.Dictionary):
                for name in self.replaced - self.used:
                    if name in xdict:
                        del xdict[name]
            self.container["/Resources"] = self.copy


def inherited_resources(page: Any) -> Any:
    """The page's resources, or those it inherits from its page-tree parents (7.7.3.4)."""
    node = page
    for _ in range(64):
        res = node.get("/Resources")
        if isinstance(res, pikepdf.Dictionary):
            return res
        node = node.get("/Parent")
        if not isinstance(node, pikepdf.Dictionary):
            return None
    return None
