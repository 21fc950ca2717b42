#!/usr/bin/env bash
# usage: scripts/lint.sh   project rules that no compiler flag checks; exit 1 on a violation.
#
# 1. No co_await inside an if/while/switch condition: GCC 12 (Debian 12's compiler)
#    miscompiles `if (co_await op)` (the awaited op never starts). Name the result
#    first: `const io_result r = co_await op; if (r) ...`.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -- '*.hpp' '*.cpp' | python3 -c '
import re, sys
keyword = re.compile(r"\b(if|while|switch)\s*\(")
bad = 0
files = sys.stdin.read().split()
for path in files:
    text = open(path, encoding="utf-8").read()
    for m in keyword.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].lstrip().startswith("//"):
            continue  # a comment mentioning the pattern
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        if re.search(r"\bco_await\b", text[m.end():i - 1]):
            line = text.count("\n", 0, m.start()) + 1
            print(f"{path}:{line}: co_await inside a condition (GCC 12 miscompiles it): name the result first")
            bad += 1
print(f"lint.sh: {len(files)} files, {bad} problem(s)")
sys.exit(1 if bad else 0)
'
