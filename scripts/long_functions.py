#!/usr/bin/env python3
"""usage: scripts/long_functions.py [--max N] [DIR...]   (default: 60 lines; core http apps)

Lists the functions (and lambdas) whose definition, from the line of its name to its
closing brace, is longer than N lines. A heuristic, not a parser: comments and string
literals are blanked, then each '{' whose head ends in ')' (plus const, noexcept,
override, a trailing return type or a constructor's initializer list) and is not a
control statement counts as a function body. Exit status 1 if any is found."""
import pathlib
import re
import sys

CONTROL = re.compile(r"^\s*(if|for|while|switch|catch|else|do)\b|\b(if|for|while|switch|catch)\s*\($")
TAIL = re.compile(r"\)\s*(const|noexcept|override|final|mutable|->\s*[\w:<>,\s*&]+|\s)*$")


def blank(text):
    """Comments and string/char literals -> spaces (newlines kept)."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|R"(\w*)\(.*?\)\1"|"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'', re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def functions(text):
    stack = []
    last_stop = 0  # after the last ';', '{' or '}'
    for i, ch in enumerate(text):
        if ch == "{":
            head = text[last_stop:i].strip()
            is_function = bool(TAIL.search(head)) and not CONTROL.search(head)
            if not is_function and ")" in head and ":" in head:  # ctor initializer list
                is_function = bool(re.search(r"\)\s*:\s*[\w:]+[({]", head)) and not CONTROL.search(head)
            start = text.rfind("\n", 0, last_stop + len(text[last_stop:i]) - len(text[last_stop:i].lstrip())) + 1
            stack.append((is_function, text.count("\n", 0, start) + 1, head))
            last_stop = i + 1
        elif ch == "}":
            if stack:
                is_function, line, head = stack.pop()
                if is_function:
                    yield line, text.count("\n", 0, i) + 1, head
            last_stop = i + 1
        elif ch == ";":
            last_stop = i + 1


def main(argv):
    limit = 60
    if argv[:1] == ["--max"]:
        limit, argv = int(argv[1]), argv[2:]
    root = pathlib.Path(__file__).resolve().parent.parent
    dirs = argv or ["core", "http", "apps"]
    found = 0
    for d in dirs:
        for path in sorted((root / d).rglob("*.[ch]pp")):
            text = blank(path.read_text(encoding="utf-8"))
            for first, last, head in functions(text):
                if last - first + 1 > limit:
                    name = " ".join(head.split())[-80:]
                    print(f"{path.relative_to(root)}:{first}: {last - first + 1} lines: {name}")
                    found += 1
    print(f"long_functions.py: {found} function(s) over {limit} lines in {' '.join(dirs)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
