#!/usr/bin/env bash
# Records demo/demo.cast (asciicast v2) and renders demo/demo.svg: a shell in which the wizard
# runs against its embedded Halo emulator (--demo) from the first screen through the hand-over,
# then a rotation without downtime, headless, against `halo-onboard sandbox` (apply, rotate,
# rotate --finish). tmux types the keys; asciinema, running inside the tmux pane,
# records exactly what the shell and the wizard write to the terminal. Repeatable: the same
# keys, the same pauses, a fresh state dir. See demo/README.md.
#
# Needs: tmux, jq, asciinema (pip install asciinema), svg-term (npm install -g svg-term-cli).
# Env: HALO_ONBOARD_BIN (default target/release/halo-onboard, built if missing),
#      DEMO_LATENCY_MS (emulated Halo latency, default 80).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${HALO_ONBOARD_BIN:-target/release/halo-onboard}
[ -x "$BIN" ] || cargo build --release --bin halo-onboard
BIN=$(realpath "$BIN")
for tool in tmux jq asciinema svg-term; do
  command -v "$tool" >/dev/null || { echo "record.sh: $tool is missing (see demo/README.md)" >&2; exit 2; }
done

COLS=100 ROWS=30
LATENCY=${DEMO_LATENCY_MS:-80}
SESSION="halo-demo-$$"
# Paths in the recording (hand-over files) are under this dir: short and plainly a demo's.
STATE=$(mktemp -d /tmp/halo-demo.XXXXXX)
CAST=demo/demo.cast
# On any way out: hang up the recorded shell (it hangs up its jobs, the sandbox; asciinema ends
# with it), then the private tmux server.
cleanup() {
  local pid
  pid=$(cat "$STATE/shell.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && grep -qF "$STATE/bashrc" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -HUP "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  command tmux -L "$SESSION" kill-server 2>/dev/null || true
  rm -rf "$STATE"
}
trap cleanup EXIT

# The recorded shell: a plain prompt, `halo-onboard` on PATH, a fresh state dir, no history.
mkdir -p "$STATE/bin" "$STATE/work"
ln -s "$BIN" "$STATE/bin/halo-onboard"
cat >"$STATE/bashrc" <<EOF
PS1='\$ '
PATH=$STATE/bin:\$PATH
HISTFILE=/dev/null
export TERM=xterm-256color LANG=C.UTF-8 HALO_ONBOARD_STATE_DIR=$STATE/state
export HALO_ONBOARD_DEMO_LATENCY_MS=$LATENCY
unset NO_COLOR HALO_URL HALO_CLIENT_ID HALO_CLIENT_SECRET
cd $STATE/work
echo \$\$ >$STATE/shell.pid
EOF

# A private tmux server, so the recording never touches the user's sessions.
# No status line: the pane is the whole COLSxROWS window from the first frame.
printf 'set -g status off\n' >"$STATE/tmux.conf"
tmux() { command tmux -L "$SESSION" -f "$STATE/tmux.conf" "$@"; }
tmux new-session -d -s "$SESSION" -x "$COLS" -y "$ROWS" \
  "asciinema rec --overwrite --quiet --idle-time-limit 2 \
     --title 'halo-onboard: the wizard (--demo), then a rotation' \
     --command 'bash --noprofile --rcfile $STATE/bashrc -i' $STATE/demo.cast"

screen() { tmux capture-pane -p -t "$SESSION" 2>/dev/null || true; }
wait_for() { # TEXT [SECONDS]; TEXT '$' waits for an empty shell prompt
  local end=$((SECONDS + ${2:-15})) how=(-F -- "$1")
  [ "$1" = '$' ] && how=(-x -- '[$]')
  until screen | grep -q "${how[@]}"; do
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
    sleep "${TYPE_DELAY:-0.06}"
  done
  sleep 0.4
}
run() { # COMMAND TEXT-TO-WAIT-FOR [SECONDS]: types a shell command, runs it, waits
  TYPE_DELAY=0.03 typed "$1"
  key Enter
  wait_for "$2" "${3:-30}"
}
beat() { sleep "${1:-1.2}"; }

# --- The wizard against its embedded emulator ------------------------------------------------
wait_for '$'
beat 0.8
typed 'halo-onboard --demo'
key Enter
wait_for "1 · Connect"
beat 1.5
key Enter # everything is filled in by --demo: test the connection
wait_for "Connected as"
beat 2
for _ in 1 2 3 4 5; do PAUSE=0.15 key Up; done # up to the profile picker
key Enter
wait_for "Profile  (vendor"
beat 1.2
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
beat 3
key s # save the credentials to a file (mode 0600): the suggested path
wait_for "Save hand-over"
beat 1.5
key Enter
wait_for "saved to"
beat 2
key Enter # confirm the hand-over: the secret is wiped
wait_for "Handed over"
beat 3
key q
wait_for "Quit halo-onboard?"
beat
key y
wait_for '$' 10
beat 2
key C-l

# --- A rotation without downtime, headless, against the emulator as a process ----------------
run "halo-onboard sandbox --latency-ms $LATENCY >sandbox.json 2>/dev/null &  # a Halo emulator" '$'
beat 1
run 'export HALO_URL=$(jq -r .url sandbox.json) HALO_CLIENT_ID=$(jq -r .client_id sandbox.json)' '$'
run 'export HALO_CLIENT_SECRET=$(jq -r .client_secret sandbox.json)' '$'
beat 0.5
run 'halo-onboard apply --profile topleft --yes --quiet' 'Verified'
beat 2.5
key C-l
run 'halo-onboard rotate --setup last --yes' 'both the old and the new'
beat 4
key C-l
run 'halo-onboard rotate --finish last --yes' 'Rotation finished'
beat 4
typed 'kill %1 && exit' # (tmux send-keys takes a lone ';' for its own separator)
key Enter
# asciinema exits with the shell and closes the pane.
for _ in $(seq 50); do
  tmux has-session -t "$SESSION" 2>/dev/null || break
  sleep 0.1
done

# One event per frame: asciinema cuts the output at read boundaries, sometimes inside an escape
# sequence, which svg-term then draws wrongly; chunks less than 10 ms apart are one frame.
python3 - "$STATE/demo.cast" >"$CAST" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
print(lines[0])
merged = []
for line in lines[1:]:
    t, kind, data = json.loads(line)
    if merged and kind == merged[-1][1] and t - merged[-1][0] < 0.010:
        merged[-1][2] += data
    else:
        merged.append([t, kind, data])
for e in merged:
    print(json.dumps(e, ensure_ascii=False))
PY
svg-term --in "$CAST" --out demo/demo.svg --window --width "$COLS" --height "$ROWS"
ls -l "$CAST" demo/demo.svg
