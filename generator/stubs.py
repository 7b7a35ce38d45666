"""Typed `.pyi` stubs derived from the rendered modules.

The stubs state the public surface exactly as the runtime module defines it, so they are
derived from the module's syntax tree instead of kept as a second template: bodies become
`...`, values of annotated names become `...`, and everything else is kept. A stub can
therefore never drift from its module (stubtest checks that too).
"""

from __future__ import annotations

import ast


class StubError(ValueError):
    pass


def _strip_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _ellipsis() -> ast.Expr:
    return ast.Expr(ast.Constant(...))


def _is_simple_value(node: ast.expr) -> bool:
    """Values a stub may spell out: literals, names and type expressions."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):  # negative numbers
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, (ast.Name, ast.Attribute)):
        return True
    if isinstance(node, ast.Subscript):
        return _is_simple_value(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _is_simple_value(node.left) and _is_simple_value(node.right)
    if isinstance(node, ast.Tuple):
        return all(_is_simple_value(e) for e in node.elts)
    return False


class _Stubber(ast.NodeTransformer):
    def __init__(self) -> None:
        self.in_class = 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.body = [_ellipsis()]
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AsyncFunctionDef:
        node.body = [_ellipsis()]
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        self.in_class += 1
        body = [self.visit(stmt) for stmt in _strip_docstring(node.body)]
        self.in_class -= 1
        node.body = [stmt for stmt in body if stmt is not None] or [_ellipsis()]
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        # attribute docstrings and other bare expressions carry no type information
        return None

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AnnAssign:
        if node.value is not None and not (isinstance(node.value, ast.Constant) and self.in_class == 0):
            node.value = ast.Constant(...)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        if _is_simple_value(node.value) or (
            len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "__all__"
        ):
            return node
        call = node.value
        # `T = TypeVar("T")`, `NOT_GIVEN = NotGiven()`: keep the call, stubs allow it for
        # TypeVar and it states the type of a module constant.
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            if call.func.id == "TypeVar" or (call.func.id[:1].isupper() and not call.args and not call.keywords):
                if call.func.id == "TypeVar":
                    return node
                target = node.targets[0]
                return ast.AnnAssign(target=target, annotation=ast.Name(call.func.id), value=None, simple=1)
        raise StubError(f"line {node.lineno}: cannot state the type of this assignment in a stub")

    def visit_If(self, node: ast.If) -> ast.AST:
        node.body = [s for s in (self.visit(stmt) for stmt in node.body) if s is not None] or [_ellipsis()]
        node.orelse = [s for s in (self.visit(stmt) for stmt in node.orelse) if s is not None]
        return node


def derive_stub(source: str) -> str:
    tree = ast.parse(source)
    tree.body = _strip_docstring(tree.body)
    stubber = _Stubber()
    body = [stubber.visit(stmt) for stmt in tree.body]
    tree.body = [stmt for stmt in body if stmt is not None]
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n"
