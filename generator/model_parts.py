"""The models of a large API, split into part modules.

Type checkers give up on a module whose top level holds too much: pyright strict
reports "Code is too complex to analyze" on the models of Stripe's or Meraki's API
(ten thousand fields and more in one module), and every name in it becomes Unknown to
the code that uses it. So above `PART_WEIGHT`, the models template renders each part to
a module of its own (`_models_1.py`, ...) and `models.py` re-exports every name: users
import from `models` as before.

Parts import each other's names at the top, as any module imports another; for that to
work in every import order, a part may use only names of the parts before it. So the
classes are ordered with what they refer to first: the classes of a reference cycle
(found as strongly connected components) share a part, and the parts follow each other
in that order: as many as the weight needs, filled alike."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass

from .model.operation import Api, Enum, Model
from .model.types import MODELS, Import

# The weight of a part (see `_weight`) at most. pyright passed OpenAI's models at 16,300
# and failed on a part of Stripe's at 18,700 and on a synthetic module at 22,400.
PART_WEIGHT = 10000


@dataclass(frozen=True)
class ModelPart:
    """One part module of the models: what it defines and what it imports."""

    module: str  # the module name, without its package: "_models_1"
    enums: tuple[Enum, ...]
    models: tuple[Model, ...]
    owners: Mapping[str, str]  # the module of every name of the split

    @property
    def names(self) -> list[str]:
        return sorted([e.name for e in self.enums] + [m.name for m in self.models])

    def imports(self) -> frozenset[Import]:
        """What its models need: other parts' names from those (all before it); a
        models name `owners` does not place is its own (with no owners: one module)."""
        out: set[Import] = set()
        for model in self.models:
            for module, name in model.imports():
                if module != MODELS:
                    out.add((module, name))
                elif self.owners.get(name, self.module) != self.module:
                    out.add((f".{self.owners[name]}", name))
        return frozenset(out)


def _weight(item: Enum | Model) -> int:
    """What a class adds to the top level of a module as pyright counts it: an
    assignment per field with a default, per enum member and per method, and about
    three more per class (its statement and decorators)."""
    if isinstance(item, Enum):
        return 3 + len(item.members)
    return 5 + len(item.fields)


def grouped_names(api: Api, limit: int) -> list[list[str]]:
    """The names of `api`'s models and enums by part, in import order, each part within
    `limit` (a reference cycle larger than that is a part of its own); [] when one
    module holds them within it."""
    items: list[Enum | Model] = [*api.enums, *api.models]
    weights = [_weight(item) for item in items]
    if sum(weights) <= limit:
        return []
    index = {item.name: i for i, item in enumerate(items)}
    edges = [
        [] if isinstance(item, Enum) else sorted({index[n] for m, n in item.imports() if m == MODELS and n in index} - {i})
        for i, item in enumerate(items)
    ]
    # as many parts as the limit needs, filled alike (no small part left at the end);
    # more only when the classes' sizes leave no other way
    count = -(-sum(weights) // limit)
    target = sum(weights) / count
    groups: list[list[int]] = []
    load = 0
    for component in _components_in_order(edges):
        size = sum(weights[i] for i in component)
        if not groups or (load and (load + size > limit or (len(groups) < count and load + size / 2 > target))):
            groups.append([])
            load = 0
        groups[-1].extend(component)
        load += size
    return [[items[i].name for i in sorted(group)] for group in groups]


def model_parts(api: Api, groups: list[list[str]]) -> list[ModelPart]:
    """The parts of `api`'s models by `grouped_names` (each part's classes in the
    order of `api`'s)."""
    items: list[Enum | Model] = [*api.enums, *api.models]
    by_name = {item.name: item for item in items}
    owners = {name: f"_models_{k}" for k, group in enumerate(groups, 1) for name in group}
    parts = []
    for k, group in enumerate(groups, 1):
        members = [by_name[name] for name in group]
        enums = tuple(item for item in members if isinstance(item, Enum))
        models = tuple(item for item in members if isinstance(item, Model))
        parts.append(ModelPart(f"_models_{k}", enums, models, owners))
    return parts


def index_imports(parts: list[ModelPart]) -> frozenset[Import]:
    """The imports of `models.py` when split: every name, from its part."""
    return frozenset((f".{part.module}", name) for part in parts for name in part.names)


def _components_in_order(edges: list[list[int]]) -> list[list[int]]:
    """The strongly connected components of the graph (`edges[i]`: what node i refers
    to), each after those it refers to; among those free to come next, the one with the
    earliest node first, so that the order follows the given one where it can."""
    component = _components(edges)
    count = max(component) + 1 if component else 0
    members: list[list[int]] = [[] for _ in range(count)]
    for node, c in enumerate(component):
        members[c].append(node)
    waiting = [0] * count  # the components each one still waits for
    dependents: list[set[int]] = [set() for _ in range(count)]
    for node, targets in enumerate(edges):
        for target in targets:
            a, b = component[node], component[target]
            if a != b and a not in dependents[b]:
                dependents[b].add(a)
                waiting[a] += 1
    ready = [(members[c][0], c) for c in range(count) if waiting[c] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, c = heapq.heappop(ready)
        out.append(members[c])
        for d in sorted(dependents[c]):
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready, (members[d][0], d))
    return out


def _components(edges: list[list[int]]) -> list[int]:
    """Tarjan's strongly connected components, without recursion (a chain of references
    may be longer than Python's stack): each node's component number."""
    n = len(edges)
    number = [-1] * n
    low = [0] * n
    component = [-1] * n
    stack: list[int] = []
    on_stack = [False] * n
    counter = found = 0
    for root in range(n):
        if number[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            node, at = work[-1]
            if at == 0:
                number[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            if at < len(edges[node]):
                work[-1] = (node, at + 1)
                target = edges[node][at]
                if number[target] == -1:
                    work.append((target, 0))
                elif on_stack[target]:
                    low[node] = min(low[node], number[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == number[node]:
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component[member] = found
                    if member == node:
                        break
                found += 1
    return component
