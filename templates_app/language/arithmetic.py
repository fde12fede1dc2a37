"""``Fn::Eval``: numeric arithmetic only, never Python.

The text is parsed with :mod:`ast` and only a whitelist of node types is evaluated:
numbers, ``+ - * / // %``, unary ``+``/``-`` and parentheses. Names, calls, attributes,
strings, comparisons and ``**`` are refused, so there is nothing to escape through; the
text length and the size of intermediate numbers are capped so no input runs for long.
"""

from __future__ import annotations

import ast
import operator
from typing import Any

from .sandbox import ExpressionError

MAX_TEXT = 200
MAX_MAGNITUDE = 10**15

_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def evaluate(text: str) -> int | float:
    """The value of arithmetic ``text`` (``'-7*24'`` → ``-168``); :class:`ExpressionError` otherwise."""
    if len(text) > MAX_TEXT:
        raise ExpressionError(f"Fn::Eval: at most {MAX_TEXT} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ExpressionError(f"Fn::Eval: {text!r} is not arithmetic") from None
    value = _value(tree.body)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _value(node: Any) -> int | float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        result = node.value
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        result = _UNARY[type(node.op)](_value(node.operand))
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        try:
            result = _BINARY[type(node.op)](_value(node.left), _value(node.right))
        except ZeroDivisionError:
            raise ExpressionError("Fn::Eval: division by zero") from None
    else:
        raise ExpressionError("Fn::Eval supports only numbers, + - * / // % and parentheses")
    if abs(result) > MAX_MAGNITUDE:
        raise ExpressionError("Fn::Eval: number too large")
    return result
