#!/usr/bin/env bash
# Refreshes GraphiQL's assets in api/graphiql/vendor/ from the npm registry, so /graphiql works
# with no network (they are compiled into rekindle-api). Run by hand when changing versions:
#   bash scripts/vendor-graphiql.sh
# GraphiQL 3 is the last major version with a build that runs from plain <script> tags; it needs
# React 18.
set -euo pipefail
cd "$(dirname "$0")/.."
GRAPHIQL=3.9.0
REACT=18.3.1
out=api/graphiql/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for pkg in graphiql-$GRAPHIQL react-$REACT react-dom-$REACT; do
  mkdir -p "$work/$pkg" && tar xzf "$work/$pkg.tgz" -C "$work/$pkg"
done
# Source maps are not shipped: drop the comments that point at them.
strip() { sed -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1" > "$2"; }
strip "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" "$out/graphiql.min.js"
strip "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" "$out/graphiql.min.css"
strip "$work/react-$REACT/package/umd/react.production.min.js" "$out/react.production.min.js"
strip "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" "$out/react-dom.production.min.js"
{
  echo "GraphiQL $GRAPHIQL and React $REACT, from the npm registry by scripts/vendor-graphiql.sh."
  echo
  echo "--- graphiql (MIT)"; cat "$work/graphiql-$GRAPHIQL/package/LICENSE"
  echo; echo "--- react and react-dom (MIT)"; cat "$work/react-$REACT/package/LICENSE"
} > "$out/LICENSES.txt"
(cd "$out" && sha256sum ./*.js ./*.css > SHA256SUMS)
echo "vendored into $out:"; ls -la "$out"
