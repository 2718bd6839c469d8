#!/usr/bin/env bash
# check_format.sh: fails, listing the files, when any C++ file tracked by git
# (or new and not ignored) differs from what clang-format makes of it with the
# committed .clang-format. Fix with: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
command -v "$CLANG_FORMAT" >/dev/null || { echo "check_format: $CLANG_FORMAT not found (scripts/setup.sh installs it)" >&2; exit 1; }
files=()
while IFS= read -r -d '' f; do
  [[ -f "$f" ]] && files+=("$f")  # skips files deleted but not yet staged
done < <(git ls-files -z --cached --others --exclude-standard -- '*.cc' '*.h' '*.cpp' '*.hpp')
# One clang-format process for all files; it names each offending file in its
# "code should be clang-formatted" warnings.
bad=()
if ! out=$("$CLANG_FORMAT" --style=file --dry-run --Werror "${files[@]}" 2>&1); then
  mapfile -t bad < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error' <<<"$out" | cut -d: -f1 | sort -u)
  ((${#bad[@]})) || { echo "$out" >&2; exit 1; }  # failed for another reason
fi
if ((${#bad[@]})); then
  echo "check_format: ${#bad[@]} file(s) differ from .clang-format (run clang-format -i on them):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check_format: all C++ files match .clang-format"
