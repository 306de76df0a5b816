#!/usr/bin/env bash
# Records the wizard against its embedded Halo emulator (--demo) as demo/demo.cast (asciicast v2)
# and renders demo/demo.svg. tmux types the keys; asciinema, running inside the tmux pane,
# records exactly what the wizard writes to its terminal. Repeatable: the same keys, the same
# pauses, a fresh state dir. See demo/README.md.
#
# Needs: tmux, asciinema (pip install asciinema), svg-term (npm install -g svg-term-cli).
# Env: HALO_ONBOARD_BIN (default target/release/halo-onboard, built if missing),
#      DEMO_LATENCY_MS (emulated Halo latency, default 80).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${HALO_ONBOARD_BIN:-target/release/halo-onboard}
[ -x "$BIN" ] || cargo build --release --bin halo-onboard
BIN=$(realpath "$BIN")
for tool in tmux asciinema svg-term; do
  command -v "$tool" >/dev/null || { echo "record.sh: $tool is missing (see demo/README.md)" >&2; exit 2; }
done

COLS=100 ROWS=30
SESSION="halo-demo-$$"
STATE=$(mktemp -d)
CAST=demo/demo.cast
trap 'command tmux -L "$SESSION" kill-server 2>/dev/null || true; rm -rf "$STATE"' EXIT

# A private tmux server, so the recording never touches the user's sessions.
# No status line: the pane is the whole COLSxROWS window from the first frame.
printf 'set -g status off\n' >"$STATE/tmux.conf"
tmux() { command tmux -L "$SESSION" -f "$STATE/tmux.conf" "$@"; }
tmux new-session -d -s "$SESSION" -x "$COLS" -y "$ROWS" \
  "env TERM=xterm-256color LANG=C.UTF-8 NO_COLOR= \
   HALO_ONBOARD_STATE_DIR=$STATE/state HALO_ONBOARD_DEMO_LATENCY_MS=${DEMO_LATENCY_MS:-80} \
   asciinema rec --overwrite --quiet --idle-time-limit 2 \
     --title 'halo-onboard --demo' --command '$BIN --demo' $STATE/demo.cast"

screen() { tmux capture-pane -p -t "$SESSION" 2>/dev/null || true; }
wait_for() { # TEXT [SECONDS]
  local end=$((SECONDS + ${2:-15}))
  until screen | grep -qF -- "$1"; do
    if ((SECONDS > end)); then
      echo "record.sh: timed out waiting for '$1'; the screen was:" >&2
      screen >&2
      exit 1
    fi
    sleep 0.1
  done
}
key() { tmux send-keys -t "$SESSION" "$@"; sleep "${PAUSE:-0.35}"; }
typed() { # types like a person, one key at a time
  local s=$1 i
  for ((i = 0; i < ${#s}; i++)); do
    tmux send-keys -t "$SESSION" -l -- "${s:i:1}"
    sleep 0.06
  done
  sleep 0.4
}
beat() { sleep "${1:-1.2}"; }

wait_for "1 · Connect"
beat 1.5
key Enter # everything is filled in by --demo: test the connection
wait_for "Connected as"
beat 1.5
key Tab Tab Enter # the profile picker
wait_for "Profile  (vendor"
beat 1.5
typed topleft # the picker filters as you type
wait_for "▶ TopLeft"
beat
key Enter
wait_for "every step pre-filled"
beat 2
for step in "2 · Role" "3 · Agent" "4 · Application" "5 · Permissions" "6 · Submit"; do
  key C-n
  wait_for "$step"
  beat 1.8
done
for _ in 1 2 3 4 5 6 7 8; do PAUSE=0.25 key Down; done # scroll through the plan
beat 1.5
# Back to the top: the progress view keeps the plan's scroll offset.
for _ in 1 2 3 4 5 6 7 8; do PAUSE=0.1 key Up; done
beat
key Enter # Apply
wait_for "Write to Halo now?"
beat 2.5
key y
wait_for "verification passed" 60
beat 2
for _ in $(seq 12); do PAUSE=0.15 key Up; done # back to the top of the hand-over
beat 4
key Enter # confirm the hand-over: the secret is wiped
wait_for "Handed over"
beat 2.5
key '?' # the help overlay
beat 2.5
key Escape
key q
wait_for "Quit halo-onboard?"
beat
key y
# asciinema exits with the wizard and closes the pane.
for _ in $(seq 50); do
  tmux has-session -t "$SESSION" 2>/dev/null || break
  sleep 0.1
done

# One event per frame: asciinema cuts the output at read boundaries, sometimes inside an escape
# sequence, which svg-term then draws wrongly; chunks less than 10 ms apart are one frame. The
# state dir is a temp path: keep it out of the committed cast.
python3 - "$STATE/demo.cast" "$STATE" >"$CAST" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
print(lines[0])
merged = []
for line in lines[1:]:
    t, kind, data = json.loads(line)
    data = data.replace(sys.argv[2], "/tmp/halo-demo")
    if merged and kind == merged[-1][1] and t - merged[-1][0] < 0.010:
        merged[-1][2] += data
    else:
        merged.append([t, kind, data])
for e in merged:
    print(json.dumps(e, ensure_ascii=False))
PY
svg-term --in "$CAST" --out demo/demo.svg --window --width "$COLS" --height "$ROWS"
ls -l "$CAST" demo/demo.svg
