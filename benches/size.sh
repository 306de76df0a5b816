#!/usr/bin/env bash
# The release binary's code by crate (cargo-bloat), as a markdown table on stdout; run-all.sh
# calls it when cargo-bloat is installed (`cargo install --locked cargo-bloat`). cargo-bloat
# reads the symbol table, so this builds with the release profile but `strip` off (a second
# fat-LTO link, a few minutes); the figures are for the same code as the stripped binary.
# The attribution is cargo-bloat's guesswork from symbol names: generic code lands in the
# crate that defines it (std's collections and formatting, serde's derive output in the
# crate that derives), so read it as "about this much".
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
if ! command -v cargo-bloat >/dev/null; then
  echo "cargo-bloat is not installed: cargo install --locked cargo-bloat" >&2
  exit 3
fi
rows=${1:-40}
out=$(CARGO_PROFILE_RELEASE_STRIP=false cargo bloat --release --bin halo-onboard --crates -n "$rows")
echo "| crate | code (.text) | share of .text |"
echo "| --- | --- | --- |"
# Lines: "14.9%  25.9%   2.2MiB halo_onboard"; the last two: "And N more crates" and the total.
echo "$out" | awk '
  /^ *[0-9.]+% +[0-9.]+% +[0-9.]+[KMG]?i?B / {
    if ($4 == "And") { printf "| %d more crates | %s | %s |\n", $5, $3, $2; next }
    if ($4 == ".text") { total = $3; file = $NF; next }
    printf "| %s | %s | %s |\n", $4, $3, $2
  }
  END { if (total != "") printf "| **.text in all** | **%s** | (file before strip: %s) |\n", total, file }'
