#!/usr/bin/env bash
# Builds the release binary and the min_frame example, runs every benchmark, prints one markdown
# table and saves it (with the apply request timeline) to benches/RESULTS.md. See benches/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

echo "== cargo build --release --bins --examples" >&2
cargo build --release --bins --examples >&2
bin=target/release/halo-onboard
size=$(stat -c %s "$bin")
# `cargo bench` relinks target/release/halo-onboard with the dev-dependencies' features (tokio
# "full", reqwest's json): the process benches measure a copy of the binary just built, the
# one that ships, with min_frame beside it (unless HALO_ONBOARD_BIN names another).
if [ -z "${HALO_ONBOARD_BIN:-}" ]; then
  shipped=target/bench-shipped
  rm -rf "$shipped" && mkdir -p "$shipped/examples"
  cp "$bin" "$shipped/" && cp target/release/examples/min_frame "$shipped/examples/"
  export HALO_ONBOARD_BIN="$PWD/$shipped/halo-onboard"
fi

# The load while the benchmarks run (not the build's, nor size.sh's second link after them).
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log=$(mktemp)
sizes=$(mktemp)
trap 'rm -f "$log" "$sizes"' EXIT
for b in render startup apply; do
  echo "== cargo bench --bench $b" >&2
  # The figures go to the log; criterion's own report goes to stderr.
  cargo bench --bench "$b" | tee -a "$log" | { grep -v '^\(ROW\|TL\|TLW\) ' || true; } >&2 || {
    echo "benchmark $b failed" >&2
    exit 1
  }
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Code by crate (a second release link with strip off); skipped without cargo-bloat.
echo "== benches/size.sh (cargo-bloat)" >&2
if ! benches/size.sh >"$sizes"; then
  echo "(cargo-bloat not installed: \`cargo install --locked cargo-bloat\`, then rerun for the table)" >"$sizes"
fi

# Before RESULTS.md is rewritten, which would count as a local change.
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
{
  echo "# Benchmark results"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) at commit $commit;"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average $load_before as the"
  echo "benchmarks started, $load_after as they ended (1, 5, 15 min; the figures are wall-clock);"
  echo "$(rustc --version). Produced by \`benches/run-all.sh\`."
  echo
  echo "| metric | value | target | verdict |"
  echo "| --- | --- | --- | --- |"
  printf '| release binary size (%s, stripped) | %s bytes (%.2f MB, %.1f MiB) | <= 8 MB (8,000,000 bytes) | %s |\n' \
    "$bin" "$size" "$(awk "BEGIN{print $size / 1e6}")" "$(awk "BEGIN{print $size / 1048576}")" \
    "$([ "$size" -le 8000000 ] && echo ok || echo OVER)"
  grep '^ROW ' "$log" | sed 's/^ROW //'
  echo
  echo "## Headless apply timeline"
  echo
  echo "Requests of the median run as the sandbox logged them (start = answer time - 100 ms;"
  echo "\`*\` = on the measured critical path)."
  echo
  echo '```'
  grep '^TL ' "$log" | sed 's/^TL //'
  echo '```'
  echo
  echo "## Wizard apply timeline (--demo, 100 ms latency, from the confirming \`y\`)"
  echo
  echo '```'
  grep '^TLW ' "$log" | sed 's/^TLW //'
  echo '```'
  echo
  echo "## Binary size by crate"
  echo
  echo "\`benches/size.sh\`: \`cargo bloat --release --crates\` on the same code linked without \`strip\`."
  echo "Generic code is counted in the crate that defines it (std's collections and formatting,"
  echo "serde's derive output in the crate that derives); read the figures as \"about\"."
  echo
  cat "$sizes"
} >benches/RESULTS.md
cat benches/RESULTS.md
