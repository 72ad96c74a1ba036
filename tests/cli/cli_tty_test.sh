#!/usr/bin/env bash
# The parquedb CLI on a terminal: progress bars on stderr when it is a TTY (and only
# then), the human table of `views state` / `views list` when stdout is a TTY, and
# pure NDJSON/JSON when piped. Terminals are pseudo-terminals made by util-linux
# `script` (bsdutils): `script -qec CMD /dev/null` runs CMD with stdin/stdout/stderr
# on a pty and copies what it writes there to its own stdout.
#
#   cli_tty_test.sh PARQUEDB SCRATCH_DIR
set -euo pipefail
BIN=$(realpath "$1")
SCRATCH=$2
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
cd "$SCRATCH"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
command -v script >/dev/null || fail "util-linux script (package bsdutils) is required"

# on_tty CMD: runs the shell command CMD on a pseudo-terminal; prints what reached it.
on_tty() {
  script -qec "$1" /dev/null </dev/null
}
# is_ndjson FILE N: FILE has exactly N lines, each one JSON object.
is_ndjson() {
  local n
  n=$(wc -l <"$1")
  [[ $n -eq $2 ]] || fail "$1: $n lines, want $2"
  if grep -qv '^{.*}$' "$1"; then fail "$1: a line is not a JSON object: $(grep -v '^{.*}$' "$1" | head -1)"; fi
}

cat >schema.json <<'EOF'
{"Order": {"status": "string!", "total": "decimal(10,2)!"},
 "ByStatus": {"$from": "Order", "$groupBy": ["status"], "$compute": {"n": {"$count": "*"}}},
 "Nightly": {"$from": "Order", "$filter": {"status": "s1"}, "$refresh": {"mode": "manual"}}}
EOF
"$BIN" --db db init --schema schema.json >/dev/null
for i in $(seq 1 6000); do
  echo "{\"status\": \"s$((i % 7))\", \"total\": \"$((i % 100)).50\"}"
done >orders.ndjson

# ---- piped: pure NDJSON, no progress noise ------------------------------------------
"$BIN" --db db insert Order orders.ndjson >piped.out 2>piped.err
is_ndjson piped.out 6000
[[ ! -s piped.err ]] || fail "piped insert wrote to stderr: $(head -c 300 piped.err)"

# ---- stderr on a terminal, stdout to a file: a progress bar on stderr only -----------
on_tty "'$BIN' --db db insert Order orders.ndjson >tty.out" >tty.log
is_ndjson tty.out 6000
grep -q $'\r' tty.log || fail "no progress bar (carriage return) on the terminal"
grep -q "read orders.ndjson" tty.log || fail "no input-reading bar: $(head -c 300 tty.log | od -c | head)"
grep -Eq "write Order \[[#-]+\] +[0-9]+% " tty.log || fail "no write progress bar: $(tr '\r' '\n' <tty.log | head)"
grep -q "6.0k/6.0k documents" tty.log || fail "the write bar never reached 6000 of 6000"
grep -q "ETA\|/s" tty.log || fail "no rate/ETA in the bar"
# --no-progress and --quiet: nothing on the terminal.
on_tty "'$BIN' --db db --no-progress insert Order orders.ndjson >/dev/null" >quiet.log
[[ ! -s quiet.log ]] || fail "--no-progress still drew: $(head -c 200 quiet.log)"
on_tty "'$BIN' --db db insert -q Order orders.ndjson" >quiet2.log
[[ "$(tr -d '\r' <quiet2.log)" == '{"inserted":6000}' ]] || fail "insert -q on a tty: $(od -c quiet2.log | head)"

# flush, full refresh, compact and vacuum draw their bars too.
on_tty "'$BIN' --db db flush >/dev/null" >flush.log
grep -Eq "flush Order \[[#-]+\] +[0-9]+% " flush.log || fail "no flush bar: $(tr '\r' '\n' <flush.log | head)"
on_tty "'$BIN' --db db views refresh Nightly --full >/dev/null" >refresh.log
grep -q "refresh Nightly" refresh.log || fail "no refresh bar: $(tr '\r' '\n' <refresh.log | head)"
# Four inserts of 6000 so far: the bar ends at 24000 source rows scanned.
grep -q "24k/24k rows" refresh.log || fail "refresh bar did not end at 24000 source rows"
"$BIN" --db db insert Order orders.ndjson >/dev/null
"$BIN" --db db flush >/dev/null
on_tty "'$BIN' --db db compact >/dev/null" >compact.log
grep -q "compact Order" compact.log || fail "no compact bar: $(tr '\r' '\n' <compact.log | head)"
on_tty "'$BIN' --db db vacuum --retention-hours 0 >/dev/null" >vacuum.log
grep -Eq "vacuum \[[#-]+\] 100% +[0-9]+/[0-9]+ files, [0-9]+ removed" vacuum.log ||
  fail "no vacuum bar: $(tr '\r' '\n' <vacuum.log | head)"
# Piped, the same commands print only their JSON.
"$BIN" --db db views refresh Nightly --full >refresh.out 2>refresh.err
is_ndjson refresh.out 1
[[ ! -s refresh.err ]] || fail "piped refresh wrote to stderr"

# ---- views state / list: a table on a terminal, JSON when piped ----------------------
on_tty "'$BIN' --db db views state" | tr -d '\r' >table.txt
head -1 table.txt | grep -Eq "^VIEW +STATE +MODE +LAG +LAST REFRESH +ROWS +INCREMENTAL +REASON$" ||
  fail "table header: $(head -1 table.txt)"
grep -Eq "^ByStatus +fresh +streaming +0s +[0-9a-z]+ ago +7 +yes" table.txt || fail "ByStatus row: $(cat table.txt)"
# 30000 orders, 4290 of status s1.
grep -Eq "^Nightly +fresh +manual +0s +[0-9a-z]+ ago +4290 +no +full refresh requested$" table.txt ||
  fail "Nightly row: $(cat table.txt)"
[[ $(wc -l <table.txt) -eq 3 ]] || fail "table rows: $(cat table.txt)"
# A write makes the manual view stale: its lag shows.
"$BIN" --db db insert Order - <<<'{"status": "new", "total": "1.00"}' >/dev/null
on_tty "'$BIN' --db db views list" | tr -d '\r' >list.txt
grep -Eq "^Nightly +stale +manual +[0-9]+s +" list.txt || fail "stale Nightly: $(cat list.txt)"
on_tty "'$BIN' --db db views state ByStatus --json" | tr -d '\r' >forced.json
is_ndjson forced.json 1
grep -q '^{"name":"ByStatus"' forced.json || fail "--json on a tty: $(cat forced.json)"
"$BIN" --db db views state ByStatus >piped.json
is_ndjson piped.json 1
grep -q '"state":"fresh"' piped.json || fail "piped state: $(cat piped.json)"
"$BIN" --db db views list >piped_list.json
is_ndjson piped_list.json 2
"$BIN" --db db views state >piped_all.json
cmp -s piped_list.json piped_all.json || fail "views state without NAME differs from views list"
"$BIN" --db db views state Nightly --table >forced_table.txt
head -1 forced_table.txt | grep -q "^VIEW " || fail "--table when piped: $(cat forced_table.txt)"
grep -Eq "^Nightly +stale" forced_table.txt || fail "--table row: $(cat forced_table.txt)"
echo "PASS"
