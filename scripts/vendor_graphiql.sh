#!/usr/bin/env bash
# Writes GraphiQL's browser assets, at pinned versions from the npm registry, into a directory
# (default graphql/assets/graphiql): the server embeds them so that GraphiQL works without a
# CDN. .ci/run runs this into a temporary directory and compares, so the committed files are
# exactly what these packages publish.
#
#   scripts/vendor_graphiql.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-graphql/assets/graphiql}"
PACKAGES="graphiql@3.8.3 react@18.3.1 react-dom@18.3.1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
(cd "$WORK" && npm pack --silent $PACKAGES >/dev/null)
for tarball in "$WORK"/*.tgz; do
  mkdir -p "${tarball%.tgz}" && tar xzf "$tarball" -C "${tarball%.tgz}"
done
# Compressed once here, served as they are to every browser (all send Accept-Encoding: gzip).
# -n leaves out name and time, so the bytes depend on the content only.
gzip -9 -n -c "$WORK"/graphiql-3.8.3/package/graphiql.min.js >"$OUT/graphiql.min.js.gz"
gzip -9 -n -c "$WORK"/graphiql-3.8.3/package/graphiql.min.css >"$OUT/graphiql.min.css.gz"
gzip -9 -n -c "$WORK"/react-18.3.1/package/umd/react.production.min.js >"$OUT/react.production.min.js.gz"
gzip -9 -n -c "$WORK"/react-dom-18.3.1/package/umd/react-dom.production.min.js >"$OUT/react-dom.production.min.js.gz"
cp "$WORK"/graphiql-3.8.3/package/LICENSE "$OUT/LICENSE.graphiql"
cp "$WORK"/react-18.3.1/package/LICENSE "$OUT/LICENSE.react"
echo "GraphiQL assets ($PACKAGES) written to $OUT"
