#!/usr/bin/env bash
# Vendor the built NL Design System CSS into crates/web/static/nlds/.
#
# Fetches the pinned packages from the npm registry with `npm pack`, extracts
# them in a temporary folder and copies only the built CSS and each package's
# licence. Idempotent: running it again with the same versions gives the same
# files. To update, change a version below, run this script, look at the diff
# of the CSS and check CLASSES.md against it.
set -euo pipefail

# Components: the Utrecht community component library (EUPL-1.2).
COMPONENTS_PKG="@utrecht/component-library-css"
COMPONENTS_VERSION="9.0.4"
# Theme tokens: the NL Design System "Voorbeeld" (example) theme (EUPL-1.2).
# Not @utrecht/design-tokens: that package's LICENSE.md says its tokens are
# proprietary assets of Gemeente Utrecht, to which the open source licence
# does not apply (see README.md).
TOKENS_PKG="@nl-design-system-unstable/voorbeeld-design-tokens"
TOKENS_VERSION="7.4.1"

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/crates/web/static/nlds"
mkdir -p "$dest"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { # fetch <pkg> <version> <dir>: npm pack and extract into <dir>/package
    local pkg="$1" version="$2" dir="$3" tarball
    mkdir -p "$dir"
    tarball="$(cd "$dir" && npm pack --silent "$pkg@$version" 2>/dev/null | tail -n 1)"
    tar -xzf "$dir/$tarball" -C "$dir"
    local got
    got="$(node -p "require('$dir/package/package.json').version")"
    if [ "$got" != "$version" ]; then
        echo "refresh-nlds: $pkg: asked for $version, got $got" >&2
        exit 1
    fi
}

fetch "$COMPONENTS_PKG" "$COMPONENTS_VERSION" "$work/components"
fetch "$TOKENS_PKG" "$TOKENS_VERSION" "$work/tokens"

install -m 0644 "$work/components/package/dist/index.css" "$dest/utrecht-component-library.css"
install -m 0644 "$work/components/package/LICENSE.md" "$dest/LICENSE-utrecht-component-library-css.txt"
install -m 0644 "$work/tokens/package/dist/theme.css" "$dest/voorbeeld-theme.css"
install -m 0644 "$work/tokens/package/LICENSE.md" "$dest/LICENSE-voorbeeld-design-tokens.txt"

# Nothing may be fetched from the network: no @import at all, and no url()
# other than inline data: URIs.
status=0
for css in "$dest"/*.css; do
    if grep -nE '@import' "$css"; then
        echo "refresh-nlds: $css has an @import" >&2
        status=1
    fi
    if grep -noE 'url\([^)]*\)' "$css" | grep -vE "url\(\s*[\"']?data:"; then
        echo "refresh-nlds: $css loads a url() that is not a data: URI" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] || exit 1

# Versions, for README.md and for anyone checking what is vendored.
cat > "$dest/VERSIONS" <<VERSIONS
$COMPONENTS_PKG $COMPONENTS_VERSION dist/index.css -> utrecht-component-library.css
$TOKENS_PKG $TOKENS_VERSION dist/theme.css -> voorbeeld-theme.css
VERSIONS

echo "refresh-nlds: vendored $COMPONENTS_PKG@$COMPONENTS_VERSION and $TOKENS_PKG@$TOKENS_VERSION into ${dest#"$root"/}"
