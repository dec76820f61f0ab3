#!/usr/bin/env bash
# Builds the site the server serves from target/site: the hydrate WASM bundle (optimised with
# npm binaryen's wasm-opt), its JS glue, the Tailwind CSS and the public/ assets, each
# pre-compressed (.gz, .br when available) so the server sends compressed files without work.
#
# Why not cargo-leptos: it needs rustc >= 1.96 to build itself in its current version and ~20 min
# to install; these few steps are all it would do for us.
set -euo pipefail
cd "$(dirname "$0")/.."

SITE=target/site
PKG="$SITE/pkg"
NAME=master-ia   # must equal LEPTOS_OUTPUT_NAME in .cargo/config.toml
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

mkdir -p "$PKG"

echo "==> WASM (frontend, hydrate, profile wasm-release)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
WASM=target/wasm32-unknown-unknown/wasm-release/frontend.wasm

echo "==> wasm-bindgen"
wasm-bindgen --target web --no-typescript --out-dir "$PKG" --out-name "$NAME" "$WASM"

echo "==> wasm-opt -Oz"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$PKG/${NAME}_bg.wasm" -o "$PKG/${NAME}.wasm"
# Leptos' HydrationScripts loads /pkg/<name>.wasm (cargo-leptos' naming), not wasm-bindgen's _bg.
rm -f "$PKG/${NAME}_bg.wasm" "$PKG/${NAME}_bg.wasm.gz" "$PKG/${NAME}_bg.wasm.br"

echo "==> Tailwind CSS"
tailwindcss -i style/main.css -o "$PKG/$NAME.css" --minify

echo "==> public assets"
if [ -d public ]; then cp -R public/. "$SITE/"; fi

echo "==> pre-compress"
for f in "$PKG/${NAME}.wasm" "$PKG/$NAME.js" "$PKG/$NAME.css"; do
  gzip -9 -k -f "$f"
  if command -v brotli >/dev/null 2>&1; then brotli -f -q 11 -k "$f"; fi
done

raw=$(stat -c %s "$PKG/${NAME}.wasm")
gz=$(stat -c %s "$PKG/${NAME}.wasm.gz")
echo "WASM bundle: ${raw} bytes, ${gz} bytes gzipped"
