#!/usr/bin/env bash
# usage: scripts/format.sh [--check]   clang-format all tracked *.hpp/*.cpp files.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -- '*.hpp' '*.cpp')
((${#files[@]})) || { echo "format.sh: no files"; exit 0; }
if [[ ${1:-} == --check ]]; then
  clang-format --dry-run --Werror "${files[@]}"
  echo "format.sh: ${#files[@]} files OK"
else
  clang-format -i "${files[@]}"
fi
