#!/usr/bin/env bash
# Fetches etch's real-model corpus (models/manifest.toml) into a cache outside git:
#   ${ETCH_MODEL_CACHE:-$HOME/.cache/etch/models}/<package>@<version>/<path>
# For each package: `npm pack NAME@VERSION`, check the tarball's sha256, unpack only
# the listed model files, check each file's sha256, delete the tarball. When every
# file is already present with the right sha256 it touches no network.
# Usage: scripts/fetch_models.sh [--manifest FILE]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MANIFEST="$ROOT/models/manifest.toml"
if [[ "${1:-}" == "--manifest" ]]; then MANIFEST="$2"; fi
CACHE="${ETCH_MODEL_CACHE:-$HOME/.cache/etch/models}"
[[ -f "$MANIFEST" ]] || { echo "fetch_models: no manifest at $MANIFEST" >&2; exit 2; }

# One line per model: name package version tarball_sha256 path sha256 (the
# manifest's top-level [[model]] keys are all `key = "string"` lines).
rows="$(awk '
  function flush() { if (name != "") print name, pkg, ver, tsha, path, sha; name = pkg = ver = tsha = path = sha = "" }
  /^\[\[model\]\]/ { flush(); in_model = 1; next }
  /^\[/ { in_model = 0; next }
  in_model && /^[a-z_0-9]+ *= *"/ {
    key = $1; val = $0; sub(/^[^"]*"/, "", val); sub(/".*$/, "", val)
    if (key == "name") name = val; else if (key == "package") pkg = val; else if (key == "version") ver = val
    else if (key == "tarball_sha256") tsha = val; else if (key == "path") path = val; else if (key == "sha256") sha = val
  }
  END { flush() }' "$MANIFEST")"
[[ -n "$rows" ]] || { echo "fetch_models: $MANIFEST lists no [[model]]" >&2; exit 2; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# Packages with at least one file missing or not matching its sha256.
declare -A need_pkg=()
while read -r name pkg ver tsha path sha; do
  for field in pkg ver tsha path sha; do
    [[ -n "${!field}" ]] || { echo "fetch_models: $MANIFEST: model '$name' has no $field" >&2; exit 2; }
  done
  f="$CACHE/$pkg@$ver/$path"
  if [[ ! -f "$f" || "$(sha_of "$f")" != "$sha" ]]; then need_pkg["$pkg@$ver"]="$tsha"; fi
done <<<"$rows"

if ((${#need_pkg[@]} == 0)); then
  echo "etch models: $(wc -l <<<"$rows") files present and verified in $CACHE"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_models: npm is needed to fetch ${!need_pkg[*]}" >&2; exit 2; }

for spec in "${!need_pkg[@]}"; do
  tsha="${need_pkg[$spec]}"
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/etch-models.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "etch models: fetching $spec"
  if ! tgz="$(cd "$tmp" && npm pack --loglevel=error "$spec" 2>"$tmp/npm.log" | tail -1)" || [[ ! -f "$tmp/$tgz" ]]; then
    echo "fetch_models: npm pack $spec failed:" >&2
    sed 's/^/  /' "$tmp/npm.log" >&2
    exit 2
  fi
  got="$(sha_of "$tmp/$tgz")"
  if [[ "$got" != "$tsha" ]]; then
    echo "fetch_models: $spec: tarball sha256 is $got, manifest says $tsha" >&2
    exit 2
  fi
  dest="$CACHE/$spec"
  mkdir -p "$dest"
  while read -r name pkg ver _ path sha; do
    [[ "$pkg@$ver" == "$spec" ]] || continue
    if ! tar -xzf "$tmp/$tgz" -C "$tmp" "$path" 2>/dev/null; then
      echo "fetch_models: $spec has no file $path (model '$name')" >&2
      exit 2
    fi
    got="$(sha_of "$tmp/$path")"
    if [[ "$got" != "$sha" ]]; then
      echo "fetch_models: $spec: $path (model '$name') has sha256 $got, manifest says $sha" >&2
      exit 2
    fi
    mkdir -p "$(dirname "$dest/$path")"
    mv "$tmp/$path" "$dest/$path.part" && mv "$dest/$path.part" "$dest/$path"
  done <<<"$rows"
  rm -rf "$tmp"
  trap - EXIT
done
echo "etch models: $(wc -l <<<"$rows") files present and verified in $CACHE"
