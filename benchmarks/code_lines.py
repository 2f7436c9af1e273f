"""Lines of Python code at a git revision, for docs/architecture.md's handler counts.

``python -m benchmarks.code_lines REV PATH...`` prints, for each path (a file
or a folder) as it is at ``REV``, its ``.py`` files' lines of code (lines
holding a token that is neither a comment nor part of a module's, class's or
function's docstring) and their tokens (the same tokens counted, which the
formatter's line breaks do not change). A path missing at ``REV`` counts 0.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize


def sources(rev: str, path: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev, "--", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        subprocess.run(
            ["git", "show", f"{rev}:{name}"], capture_output=True, text=True, check=True
        ).stdout
        for name in listed
        if name.endswith(".py")
    ]


def docstring_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = node.body[0] if node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def count(source: str) -> tuple[int, int]:
    skipped = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
    docstrings = docstring_lines(source)
    code: set[int] = set()
    tokens = 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skipped and token.start[0] not in docstrings:
            code.update(range(token.start[0], token.end[0] + 1))
            tokens += 1
    return len(code - docstrings), tokens


def main(rev: str, paths: list[str]) -> None:
    print("revision\tpath\tlines of code\ttokens")
    for path in paths:
        counted = [count(source) for source in sources(rev, path)]
        lines, tokens = sum(c[0] for c in counted), sum(c[1] for c in counted)
        print(f"{rev}\t{path}\t{lines}\t{tokens}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
