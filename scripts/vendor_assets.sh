#!/usr/bin/env bash
# Vendor the front-end assets that folium's map page (and the ledger dashboard) loads into
# static/vendor/, so a rendered map page fetches nothing from the internet.
#
# Versions are the ones folium 0.20.0 puts in folium.Map.default_js /
# default_css. npm packages are pinned (with integrity hashes) by
# static/package.json + static/package-lock.json and installed with `npm ci`
# into a temporary directory; only the needed dist files, the fonts/images
# their CSS references by relative url(), and each package's licence are
# copied. folium's own leaflet.awesome.rotate.css is not on npm: it is taken
# from the folium sdist on PyPI (hash-pinned).
#
# Usage: scripts/vendor_assets.sh            (from anywhere)
#   PYTHON=/path/to/python   interpreter whose pip downloads the folium sdist
#   VENDOR_SOURCEMAPS=1      also copy the .map files the minified JS/CSS name
#                            in their sourceMappingURL comments (devtools only;
#                            about 1 MB, off by default)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC="$ROOT/static"
DEST="$STATIC/vendor"
PYTHON="${PYTHON:-python3}"
WITH_MAPS="${VENDOR_SOURCEMAPS:-0}"

FOLIUM_VERSION="0.20.0"
FOLIUM_SDIST_SHA256="a0d78b9d5a36ba7589ca9aedbd433e84e9fcab79cd6ac213adbcff922e454cb9"
ROTATE_CSS_SHA256="d5501eae37287555b79483f75a3b6c9f0acb24b92ee20c0836b0997baf8fdfb6"

# name=version pairs that must match static/package.json exactly.
PINNED=(
  "leaflet=1.9.3"
  "jquery=3.7.1"
  "bootstrap=5.2.2"
  "@fortawesome/fontawesome-free=6.2.0"
  "drmonty-leaflet-awesome-markers=2.0.2"
  "leaflet.awesome-markers=2.0.5"
  "@neos21/bootstrap3-glyphicons=1.0.7"
  "chart.js=4.5.1"
  "swagger-ui-dist=5.35.0"
  "leaflet-draw=1.0.4"
  "leaflet.vectorgrid=1.3.0"
  "geojson-vt=2.2.0"
)

# Directories under static/vendor/ that this script owns (README.md is not).
OWNED=(leaflet jquery bootstrap fontawesome-free leaflet-awesome-markers
       bootstrap3-glyphicons folium chartjs swagger-ui leaflet-draw leaflet-vectorgrid)

die() { echo "vendor_assets: $*" >&2; exit 1; }

command -v npm >/dev/null || die "npm not found"
command -v node >/dev/null || die "node not found"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- npm install
mkdir -p "$TMP/npm"
cp "$STATIC/package.json" "$STATIC/package-lock.json" "$TMP/npm/"
(
  cd "$TMP/npm"
  # --legacy-peer-deps: bootstrap's peer @popperjs/core is already inside
  # bootstrap.bundle.min.js; --ignore-scripts: we only want the files.
  npm ci --ignore-scripts --legacy-peer-deps --no-audit --no-fund \
    --loglevel=error >/dev/null
)
NM="$TMP/npm/node_modules"

for pair in "${PINNED[@]}"; do
  name="${pair%=*}" want="${pair##*=}"
  got="$(node -p "require('$NM/$name/package.json').version")"
  [[ "$got" == "$want" ]] || die "$name: installed $got, expected $want"
done

# ---------------------------------------------------------------- helpers
for d in "${OWNED[@]}"; do rm -rf "${DEST:?}/$d"; done
mkdir -p "$DEST"

# copy SRC (relative to node_modules, or absolute) to DST (relative to DEST)
copy() {
  local src="$1" dst="$2"
  [[ "$src" == /* ]] || src="$NM/$src"
  [[ -f "$src" ]] || die "missing file: $src"
  install -D -m 0644 "$src" "$DEST/$dst"
}

# Print the local targets of url(...) in a CSS file (quotes, ?query and
# #fragment stripped; data: URIs and fragment-only refs skipped). Dies on any
# absolute http(s) or protocol-relative URL, which a browser would fetch.
css_urls() {
  local css="$1" u
  { grep -o 'url([^)]*)' "$css" || true; } |
    sed -E "s/^url\([[:space:]]*//; s/[[:space:]]*\)\$//; s/^[\"']//; s/[\"']\$//" |
    while IFS= read -r u; do
      case "$u" in
        data:*) continue ;;
        http:*|https:*|//*) die "$css references remote $u" ;;
      esac
      u="${u%%\?*}"; u="${u%%#*}"
      if [[ -n "$u" ]]; then printf '%s\n' "$u"; fi
    done | sort -u
}

# copy a CSS file and every file it references by relative url(), keeping the
# relative layout so the references still resolve.
copy_css() {
  local src="$1" dst="$2" refs ref
  copy "$src" "$dst"
  refs="$(css_urls "$NM/$src")"   # separate assignment: set -e sees failure
  while IFS= read -r ref; do
    if [[ -n "$ref" ]]; then
      copy "$(dirname "$src")/$ref" "$(dirname "$dst")/$ref"
    fi
  done <<< "$refs"
}

# copy the source map a minified file names, if VENDOR_SOURCEMAPS=1
copy_map() {
  local src="$1" dst="$2" map
  [[ "$WITH_MAPS" == 1 ]] || return 0
  map="$(grep -o 'sourceMappingURL=[^ *]*' "$NM/$src" | tail -n1 | cut -d= -f2)"
  [[ -n "$map" ]] || return 0
  copy "$(dirname "$src")/$map" "$(dirname "$dst")/$map"
}

# ---------------------------------------------------------------- leaflet 1.9.3
copy leaflet/dist/leaflet.js              leaflet/leaflet.js
copy_map leaflet/dist/leaflet.js          leaflet/leaflet.js
copy_css leaflet/dist/leaflet.css         leaflet/leaflet.css
# leaflet.js derives L.Icon.Default.imagePath from leaflet.css and also loads
# marker-icon-2x.png / marker-shadow.png from there: ship the whole folder.
for f in "$NM"/leaflet/dist/images/*.png; do
  copy "$f" "leaflet/images/$(basename "$f")"
done
copy leaflet/LICENSE                      leaflet/LICENSE

# ---------------------------------------------------------------- jquery 3.7.1
copy jquery/dist/jquery.min.js            jquery/jquery.min.js
copy jquery/LICENSE.txt                   jquery/LICENSE.txt

# ---------------------------------------------------------------- bootstrap 5.2.2
copy bootstrap/dist/js/bootstrap.bundle.min.js  bootstrap/js/bootstrap.bundle.min.js
copy_map bootstrap/dist/js/bootstrap.bundle.min.js bootstrap/js/bootstrap.bundle.min.js
copy_css bootstrap/dist/css/bootstrap.min.css   bootstrap/css/bootstrap.min.css
copy_map bootstrap/dist/css/bootstrap.min.css   bootstrap/css/bootstrap.min.css
copy bootstrap/LICENSE                    bootstrap/LICENSE

# ---------------------------------------------------------------- font awesome 6.2.0
copy_css @fortawesome/fontawesome-free/css/all.min.css fontawesome-free/css/all.min.css
copy @fortawesome/fontawesome-free/LICENSE.txt         fontawesome-free/LICENSE.txt

# ---------------------------------------------------------------- awesome-markers 2.0.2
# drmonty-leaflet-awesome-markers@2.0.2 is a shim of lvoogdt's 2.0.2 release
# (what folium loads from cdnjs). It ships no licence file; the upstream MIT
# licence (Copyright (C) 2013 L. Voogdt) is taken from leaflet.awesome-markers,
# whose JS is byte-identical.
copy drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.js \
     leaflet-awesome-markers/leaflet.awesome-markers.js
copy_css drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css \
     leaflet-awesome-markers/leaflet.awesome-markers.css
copy leaflet.awesome-markers/LICENSE      leaflet-awesome-markers/LICENSE

# ---------------------------------------------------------------- glyphicons
# folium loads bootstrap 3.0.0's standalone bootstrap-glyphicons.css; that file
# is not on npm. @neos21/bootstrap3-glyphicons is the glyphicon-only part of
# Bootstrap 3.3.7 (same .glyphicon-* classes, Glyphicons Halflings font).
copy_css @neos21/bootstrap3-glyphicons/dist/css/bootstrap3-glyphicons.min.css \
         bootstrap3-glyphicons/css/bootstrap3-glyphicons.min.css
copy @neos21/bootstrap3-glyphicons/LICENSE bootstrap3-glyphicons/LICENSE

# ---------------------------------------------------------------- chart.js 4.5.1
# The UMD build defines window.Chart with no module loader: the ledger dashboard's charts.
copy chart.js/dist/chart.umd.min.js       chartjs/chart.umd.min.js
copy chart.js/LICENSE.md                  chartjs/LICENSE.md
# ---------------------------------------------------------------- swagger-ui 5.35.0
# The API documentation page (/api/docs): the standalone bundle and its CSS, no CDN.
copy swagger-ui-dist/swagger-ui-bundle.js   swagger-ui/swagger-ui-bundle.js
copy_css swagger-ui-dist/swagger-ui.css     swagger-ui/swagger-ui.css
copy swagger-ui-dist/LICENSE                swagger-ui/LICENSE
# ---------------------------------------------------------------- leaflet-draw 1.0.4
# The editing page's drawing tools (not a folium default). The npm package ships no licence
# file, though its package.json declares MIT; the MIT text is written here with the copyright
# line of the dist header (upstream keeps it in MIT-LICENSE.md).
copy leaflet-draw/dist/leaflet.draw.js    leaflet-draw/leaflet.draw.js
copy_css leaflet-draw/dist/leaflet.draw.css leaflet-draw/leaflet.draw.css
[[ "$(node -p "require('$NM/leaflet-draw/package.json').license")" == MIT ]] ||
  die "leaflet-draw: licence is no longer MIT"
cat > "$DEST/leaflet-draw/LICENSE" <<'MIT'
Copyright (c) 2012-2017, Jacob Toye, Jon West, Smartrak, Leaflet

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
MIT

# ---------------------------------------------------------------- leaflet.vectorgrid 1.3.0
# The map's vector tiles (L.vectorGrid.protobuf). The bundled build carries its dependencies
# inside: pbf, ieee754, vector-tile, point-geometry, topojson-client, whatwg-fetch, and
# geojson-vt 2.2.0 (in the slicer's worker). Each one's licence is kept under licenses/, from
# the packages npm installs beside it (geojson-vt is pinned for that alone). VectorGrid's own
# licence is the Beer-Ware text of its README, which ships no licence file; point-geometry
# declares ISC and ships none either, so its ISC text is written with its package's author.
copy leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js \
     leaflet-vectorgrid/Leaflet.VectorGrid.bundled.min.js
[[ "$(node -p "require('$NM/leaflet.vectorgrid/package.json').license")" == Beerware ]] ||
  die "leaflet.vectorgrid: licence is no longer Beerware"
sed -n '/^## Legalese/,$p' "$NM/leaflet.vectorgrid/README.md" > "$DEST/leaflet-vectorgrid/LICENSE"
grep -q "BEER-WARE LICENSE" "$DEST/leaflet-vectorgrid/LICENSE" ||
  die "leaflet.vectorgrid: licence text not found in README.md"
for pair in pbf/LICENSE ieee754/LICENSE vector-tile/LICENSE.txt topojson-client/LICENSE.md \
            whatwg-fetch/LICENSE geojson-vt/LICENSE; do
  copy "$pair" "leaflet-vectorgrid/licenses/${pair%%/*}-$(basename "$pair")"
done
[[ "$(node -p "require('$NM/point-geometry/package.json').license")" == ISC ]] ||
  die "point-geometry: licence is no longer ISC"
cat > "$DEST/leaflet-vectorgrid/licenses/point-geometry-LICENSE" <<ISC
ISC License (declared by point-geometry's package.json; the package ships no licence file)

Copyright (c) $(node -p "require('$NM/point-geometry/package.json').author")

Permission to use, copy, modify, and/or distribute this software for any purpose
with or without fee is hereby granted, provided that the above copyright notice
and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH
REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT,
INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS
OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER
TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF
THIS SOFTWARE.
ISC

# ---------------------------------------------------------------- folium rotate css
mkdir -p "$TMP/pypi"
printf 'folium==%s --hash=sha256:%s\n' "$FOLIUM_VERSION" "$FOLIUM_SDIST_SHA256" \
  > "$TMP/pypi/req.txt"
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps \
  --no-binary folium --require-hashes -r "$TMP/pypi/req.txt" -d "$TMP/pypi" \
  >/dev/null
tar -xzf "$TMP/pypi/folium-$FOLIUM_VERSION.tar.gz" -C "$TMP/pypi"
FSRC="$TMP/pypi/folium-$FOLIUM_VERSION"
echo "$ROTATE_CSS_SHA256  $FSRC/folium/templates/leaflet.awesome.rotate.css" |
  sha256sum -c --quiet - || die "leaflet.awesome.rotate.css changed"
copy "$FSRC/folium/templates/leaflet.awesome.rotate.css" folium/leaflet.awesome.rotate.css
copy "$FSRC/LICENSE.txt"                                 folium/LICENSE.txt

# ---------------------------------------------------------------- verify
status=0
csss="$(find "$DEST" -name '*.css' | sort)"
while IFS= read -r css; do
  refs="$(css_urls "$css")"
  while IFS= read -r ref; do
    if [[ -n "$ref" && ! -f "$(dirname "$css")/$ref" ]]; then
      echo "vendor_assets: ${css#"$DEST"/} -> $ref: missing" >&2; status=1
    fi
  done <<< "$refs"
done <<< "$csss"
[[ $status == 0 ]] || die "unresolved url() references"

echo "vendored into ${DEST#"$ROOT"/}: $(find "$DEST" -type f | wc -l) files," \
     "$(du -sh "$DEST" | cut -f1)"
