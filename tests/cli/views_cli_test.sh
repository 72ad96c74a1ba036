#!/usr/bin/env bash
# End-to-end test of `parquedb views ...`: list, state, define, refresh [--full], alter,
# drop, vacuum; find/get/count on views; exit codes and error messages.
#
#   tests/cli/views_cli_test.sh PARQUEDB_BINARY SCRATCH_DIR
set -euo pipefail

BIN=$(realpath "$1")
SCRATCH=$2
command -v node >/dev/null || { echo "views_cli_test.sh: needs node for JSON checks" >&2; exit 1; }
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
SCRATCH=$(realpath "$SCRATCH")
DB=$SCRATCH/db
OUT_FILE=$SCRATCH/out
ERR_FILE=$SCRATCH/err
CMD=""
RC=0
CHECKS=0

fail() {
  {
    echo "FAIL: $*"
    echo "  command: $CMD"
    echo "  exit code: $RC"
    echo "  stdout: $(head -c 2000 "$OUT_FILE")"
    echo "  stderr: $(head -c 2000 "$ERR_FILE")"
  } >&2
  exit 1
}

# run ARGS...: parquedb --db $DB ARGS (stdin from $STDIN); sets RC.
STDIN=/dev/null
run() {
  CMD="parquedb --db $DB $*"
  set +e
  "$BIN" --db "$DB" "$@" <"$STDIN" >"$OUT_FILE" 2>"$ERR_FILE"
  RC=$?
  set -e
}
expect_ok() { [ "$RC" -eq 0 ] || fail "expected exit 0"; [ ! -s "$ERR_FILE" ] || fail "unexpected stderr"; CHECKS=$((CHECKS + 1)); }
expect_rc() { [ "$RC" -eq "$1" ] || fail "expected exit $1"; CHECKS=$((CHECKS + 1)); }
expect_err() { grep -qF -- "$1" "$ERR_FILE" || fail "stderr lacks: $1"; [ ! -s "$OUT_FILE" ] || fail "stdout not empty on error"; CHECKS=$((CHECKS + 1)); }
# js EXPR: evaluates EXPR with `lines` = parsed NDJSON stdout, `o` = its first object.
js() {
  local script="const lines = require('fs').readFileSync(process.argv[1], 'utf8').split('\\n')
    .filter(Boolean).map(JSON.parse); const o = lines[0];
    if (!($1)) process.exit(1);"
  node -e "$script" "$OUT_FILE" || fail "check: $1"
  CHECKS=$((CHECKS + 1))
}

cat >"$SCRATCH/schema.json" <<'JSON'
{
  "Customer": {"name": "string!", "tier": "string?"},
  "Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "-> Customer"},
  "ByStatus": {"$from": "Order", "$groupBy": ["status"],
               "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"}}},
  "OrderView": {"$from": "Order", "$expand": ["customer"], "$type": "OrderRow"}
}
JSON
run init --schema "$SCRATCH/schema.json"
expect_ok
STDIN=$SCRATCH/customers.ndjson
printf '%s\n' '{"$id": "c1", "name": "Ann", "tier": "gold"}' >"$STDIN"
run insert Customer "$STDIN"
expect_ok
printf '%s\n' '{"$id": "o1", "total": "10.00", "status": "paid", "customer": "c1"}' \
  '{"$id": "o2", "total": "2.50", "status": "paid", "customer": "c1"}' \
  '{"$id": "o3", "total": "1.00", "status": "new"}' >"$SCRATCH/orders.ndjson"
run insert Order "$SCRATCH/orders.ndjson"
expect_ok
STDIN=/dev/null

# Streaming views are readable with find/get/count, by name or $type.
run views list
expect_ok
js 'lines.length === 2 && lines.every(l => l.state === "fresh" && l.mode === "streaming")'
run find ByStatus '{"status": "paid"}'
expect_ok
js 'lines.length === 1 && o.n === 2 && o.revenue === "12.50" && o["$id"] === "[\"paid\"]"'
run count OrderRow
expect_ok
run get OrderView o1
expect_ok
js 'o.customer_tier === "gold" && o.customer_name === "Ann"'
run update Customer c1 '{"tier": "silver"}'
expect_ok
run find OrderView '{"customer_tier": "silver"}' --sort '{"total": -1}' --limit 1
expect_ok
js 'lines.length === 1 && o["$id"] === "o1"'
run views state ByStatus
expect_ok
js 'o.name === "ByStatus" && o.state === "fresh" && o.rows === 2 && typeof o.sourceSnapshots.Order === "number"'

# define (register) a manual view; refresh incrementally and fully.
run views define Paid '{"$from": "Order", "$filter": {"status": "paid"}, "$refresh": {"mode": "manual"}}'
expect_ok
js 'o.name === "Paid" && o.mode === "manual" && o.state === "fresh" && o.rows === 2 && o.reason === "initial build"'
run update Order o3 '{"status": "paid"}'
expect_ok
run views state Paid
expect_ok
js 'o.state === "stale" && o.staleSince !== null'
run find Paid
expect_ok
js 'lines.length === 2'
run views refresh Paid
expect_ok
js 'o.state === "fresh" && o.incremental === true && o.rows === 3'
run views refresh Paid --full
expect_ok
js 'o.incremental === false && o.reason === "full refresh requested" && o.rows === 3'

# alter: refresh policy only keeps the state; a definition change rebuilds.
run views alter Paid '{"$refresh": {"mode": "scheduled", "schedule": "0 * * * *"}}'
expect_ok
js 'o.mode === "scheduled" && o.nextRefresh !== null && o.reason === "refresh policy changed"'
run views alter Paid '{"$filter": {"total": {"$gte": 2}}}'
expect_ok
js 'o.reason === "definition changed" && o.rows === 2'

# Errors: stderr, non-zero exit, nothing stored.
run views define Bad '{"$from": "Nope"}'
expect_rc 1
expect_err "Nope"
run views define Bad2 '{"$from": "Order", "$refresh": {"mode": "scheduled", "schedule": "61 * * * *"}}'
expect_rc 1
expect_err "61"
run views define Bad3 'not json'
expect_rc 2
run views state Nope
expect_rc 1
expect_err "no view 'Nope'"
run views refresh Nope
expect_rc 1
run views drop Customer
expect_rc 1
STDIN=$SCRATCH/bad.ndjson
printf '%s\n' '{"status": "x", "total": "1.00"}' >"$STDIN"
run insert ByStatus "$STDIN"
expect_rc 1
expect_err "ByStatus is a view"
STDIN=/dev/null
run views vacuum Paid
expect_rc 2

# vacuum, drop; everything persists across processes.
run views vacuum Paid --retention-days 1
expect_ok
js 'o.vacuumed === "Paid"'
run views drop ByStatus
expect_ok
js 'o.dropped === "ByStatus"'
run find ByStatus
expect_rc 1
run views list
expect_ok
js 'lines.map(l => l.name).join(",") === "OrderView,Paid"'
run schema
expect_ok
js 'o.Paid && o.Paid["$filter"].total["$gte"] === 2 && !o.ByStatus'

echo "views_cli_test.sh: $CHECKS checks passed"
