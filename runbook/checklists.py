"""The `checklists:` mapping and top-level `smoke_tests:` -> Checklist objects with stable item ids."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from yaml.nodes import MappingNode, Node, ScalarNode

from .model import (
    CHECKLIST_NAMES,
    GO_NO_GO,
    GO_NO_GO_CATEGORIES,
    POST_DEPLOYMENT,
    PRE_DEPLOYMENT,
    SMOKE_TESTS,
    Checklist,
    ChecklistItem,
)
from .names import did_you_mean, one_of, slugify
from .reading import Fields, Reader
from .yamlnodes import describe, is_null, position

CHECKLIST_KEYS = (PRE_DEPLOYMENT, GO_NO_GO, POST_DEPLOYMENT)  # smoke_tests lives at the top level
ITEM_KEYS = ("id", "text")


def read_checklists(reader: Reader, node: Node | None, smoke_tests: Node | None) -> Mapping[str, Checklist]:
    items: dict[str, list[ChecklistItem]] = {name: [] for name in CHECKLIST_NAMES}
    if node is not None:
        fields = reader.mapping(node, "checklists", "{pre_deployment: [...], go_no_go: {...}}")
        if fields:
            fields.reject_unknown(CHECKLIST_KEYS, "in checklists", hints={
                SMOKE_TESTS: "smoke_tests goes at the top level, not under checklists",
            })
            for name in (PRE_DEPLOYMENT, POST_DEPLOYMENT):
                if (value := fields.get(name)) is not None:
                    items[name] += _read_items(reader, value, name, None)
            if (value := fields.get(GO_NO_GO)) is not None:
                items[GO_NO_GO] += _read_go_no_go(reader, value)
    if smoke_tests is not None:
        items[SMOKE_TESTS] += _read_items(reader, smoke_tests, SMOKE_TESTS, None)
    for name in CHECKLIST_NAMES:
        _report_duplicates(reader, items[name])
    return MappingProxyType({name: Checklist(name, tuple(items[name])) for name in CHECKLIST_NAMES})


def _read_go_no_go(reader: Reader, node: Node) -> list[ChecklistItem]:
    categories = reader.mapping(node, GO_NO_GO, "{functional: [...], technical: [...]}")
    if categories is None:
        return []
    categories.reject_unknown(GO_NO_GO_CATEGORIES, "", unknown=lambda name: (
        f"unknown go/no-go category '{name}'{did_you_mean(name, GO_NO_GO_CATEGORIES)}; "
        f"use {one_of(GO_NO_GO_CATEGORIES)}"))
    items: list[ChecklistItem] = []
    for category, (_, value) in categories.pairs.items():  # file order
        if category in GO_NO_GO_CATEGORIES and not is_null(value):
            items += _read_items(reader, value, GO_NO_GO, category)
    return items


def _read_items(reader: Reader, node: Node, checklist: str, category: str | None) -> list[ChecklistItem]:
    where = f"{checklist}.{category}" if category else checklist
    entries = [node] if isinstance(node, ScalarNode) else reader.sequence(node, where, "[Backup taken, War room ready]")
    items = []
    for entry in entries or ():
        item = _read_item(reader, entry, checklist, category, where)
        if item is not None:
            items.append(item)
    return items


def _read_item(reader: Reader, node: Node, checklist: str, category: str | None, where: str) -> ChecklistItem | None:
    given_id = None
    if isinstance(node, MappingNode):
        fields = Fields(reader, node)
        fields.reject_unknown(ITEM_KEYS, f"in a {where} item")
        text = fields.required_text("text", f"{where} item text",
                                    f"{where} item has no text; add e.g. text: Backup taken")
        if (id_node := fields.get("id")) is not None:
            given_id = reader.ident(id_node, f"{where} item id")
        if text is None or (id_node is not None and given_id is None):
            return None  # already reported
    elif isinstance(node, ScalarNode) and not is_null(node) and node.value.strip():
        text = node.value.strip()
    else:
        reader.error(node, f"{where} item must be text or {{id: ..., text: ...}}; found {describe(node)}")
        return None
    slug = given_id or slugify(text)
    if not slug:
        reader.error(node, f"{where} item '{text}' has no letters or digits to make an id from; "
                           f"write it as {{id: my-check, text: ...}}")
        return None
    line, col = position(node)
    return ChecklistItem(f"{checklist}/{slug}", text, checklist, category, line=line, col=col)


def _report_duplicates(reader: Reader, items: list[ChecklistItem]) -> None:
    first_line: dict[str, int] = {}
    for item in items:
        if item.id in first_line:
            reader.error_at(item.line, item.col, f"duplicate checklist item id '{item.id}' "
                                                 f"(already used on line {first_line[item.id]}); "
                                                 f"reword the item or give it an id:")
        else:
            first_line[item.id] = item.line
    # Keep the duplicates in the list: the error above stops the load anyway.
