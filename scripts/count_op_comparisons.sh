#!/usr/bin/env bash
# Lists the comparisons of an op's name with a literal or named constant, outside schema/registry files
# (ir/ops/ and any file that registers with ETCH_REGISTER_*).
cd "${1:-.}"
re='((op_type(\(\))?|\.op|\bop) *[!=]= *(k[A-Z][A-Za-z0-9]*\b|"[A-Za-z0-9]+")|(k[A-Z][A-Za-z0-9]*|"[A-Z][A-Za-z0-9]+") *[!=]= *(op_type|[a-z_.>-]*\.op\b)|(is_op|is_etch)\([^,]*, *")'
all=$(grep -rnE "$re" src)
echo "all: $(echo "$all" | grep -c .)"
reg=$(grep -rlE 'ETCH_REGISTER_[A-Z_]+\(' src | sort)
echo "$all" | while IFS=: read -r f l rest; do
  [[ -z "$f" ]] && continue
  [[ "$f" == src/etch/ir/ops/* ]] && continue
  grep -qxF "$f" <<<"$reg" && continue
  echo "$f:$l:$rest"
done
