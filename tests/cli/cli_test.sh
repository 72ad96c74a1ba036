#!/usr/bin/env bash
# End-to-end test of the parquedb CLI: every command, exact outputs, exit codes and
# error messages, on the shop example data.
#
#   tests/cli/cli_test.sh PARQUEDB_BINARY SCRATCH_DIR
#
# JSON outputs are compared as exact text where they are deterministic, otherwise
# checked with small `node -e` expressions (no jq needed).
set -euo pipefail

BIN=$(realpath "$1")
SCRATCH=$2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v node >/dev/null || { echo "cli_test.sh: needs node on PATH for JSON checks" >&2; exit 1; }
EX=$ROOT/examples/shop

rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
SCRATCH=$(realpath "$SCRATCH")
DB=$SCRATCH/db
OUT_FILE=$SCRATCH/out
ERR_FILE=$SCRATCH/err

FOLLOWER=""  # pid of the background `changes --follow`
cleanup() {
  if [ -n "$FOLLOWER" ] && kill -0 "$FOLLOWER" 2>/dev/null; then
    kill "$FOLLOWER" 2>/dev/null || true
    wait "$FOLLOWER" 2>/dev/null || true
  fi
}
trap cleanup EXIT

CMD=""
RC=0
OUT=""
ERR=""
CHECKS=0

fail() {
  {
    echo "FAIL: $*"
    echo "  command: $CMD"
    echo "  exit code: $RC"
    echo "  stdout: $(head -c 2000 "$OUT_FILE" 2>/dev/null)"
    echo "  stderr: $(head -c 2000 "$ERR_FILE" 2>/dev/null)"
  } >&2
  exit 1
}

# run [ARGS...]: runs parquedb --db $DB ARGS with stdin from $STDIN (default
# /dev/null); sets RC, OUT, ERR.
STDIN=/dev/null
run_db() {
  local db=$1
  shift
  CMD="parquedb --db $db $*"
  set +e
  "$BIN" --db "$db" "$@" <"$STDIN" >"$OUT_FILE" 2>"$ERR_FILE"
  RC=$?
  set -e
  OUT=$(cat "$OUT_FILE")
  ERR=$(cat "$ERR_FILE")
  STDIN=/dev/null
}
run() { run_db "$DB" "$@"; }

expect_rc() {
  CHECKS=$((CHECKS + 1))
  [ "$RC" -eq "$1" ] || fail "expected exit code $1"
}
expect_ok() {
  expect_rc 0
  [ -z "$ERR" ] || fail "expected an empty stderr"
}
# Exact stdout.
expect_out() {
  CHECKS=$((CHECKS + 1))
  [ "$OUT" == "$1" ] || fail "expected stdout: $1"
}
expect_out_has() {
  CHECKS=$((CHECKS + 1))
  grep -qF -- "$1" "$OUT_FILE" || fail "expected stdout to contain: $1"
}
# Exact stderr, or a fixed substring of it.
expect_err() {
  CHECKS=$((CHECKS + 1))
  [ "$ERR" == "$1" ] || fail "expected stderr: $1"
}
expect_err_has() {
  CHECKS=$((CHECKS + 1))
  grep -qF -- "$1" "$ERR_FILE" || fail "expected stderr to contain: $1"
}
# A failure of the operation: exit 1, nothing on stdout, the exact error line.
expect_failure() {
  expect_rc 1
  expect_err "parquedb: $1"
  [ -z "$OUT" ] || fail "expected an empty stdout"
}
# A usage error: exit 2, the error starts with "parquedb: <prefix>".
expect_usage_error() {
  expect_rc 2
  CHECKS=$((CHECKS + 1))
  [[ $ERR == "parquedb: $1"* ]] || fail "expected stderr to start with: parquedb: $1"
  [ -z "$OUT" ] || fail "expected an empty stdout"
}
# jcheck JS_EXPR: evaluates a JavaScript boolean expression over the last stdout,
# with `rows` (every NDJSON line parsed) and `o` (the first row).
jcheck() {
  CHECKS=$((CHECKS + 1))
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    const rows = text.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
    const o = rows[0];
    const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
    if (!eval(process.argv[2])) process.exit(1);
  ' "$OUT_FILE" "$1" || fail "JSON check failed: $1"
}
# jfield PATH: prints a field of the first stdout row (dotted path).
jfield() {
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    let v = JSON.parse(text.split("\n")[0]);
    for (const k of process.argv[2].split(".")) v = v[k];
    console.log(typeof v === "string" ? v : JSON.stringify(v));
  ' "$OUT_FILE" "$1"
}
section() { echo "-- $*"; }

# ---------------------------------------------------------------------------
section "usage and help"
run
expect_usage_error "A subcommand is required"
run frobnicate
expect_usage_error "unknown command 'frobnicate'"
run --help
expect_ok
expect_out_has "Subcommands:"
expect_out_has "changes"
run find --help
expect_ok
expect_out_has "--include"
expect_out_has "--as-of"
run insert --help
expect_ok
expect_out_has "--batch-size"
run find
expect_usage_error "NAME is required"

section "no database yet"
run_db "$SCRATCH/nodb" find Order
expect_failure "no database at $SCRATCH/nodb (create it with: parquedb --db $SCRATCH/nodb init --schema FILE)"
CHECKS=$((CHECKS + 1))
[ ! -e "$SCRATCH/nodb" ] || fail "a read must not create the database directory"

# ---------------------------------------------------------------------------
section "init"
run init --schema "$EX/schema.json"
expect_ok
expect_out "{\"path\":\"$DB\",\"created\":true,\"schema_changed\":true,\"collections\":[\"Customer\",\"Order\",\"OrderItem\",\"Product\"]}"
run init --schema "$EX/schema.json"
expect_ok
expect_out "{\"path\":\"$DB\",\"created\":false,\"schema_changed\":false,\"collections\":[\"Customer\",\"Order\",\"OrderItem\",\"Product\"]}"
run collections
expect_ok
expect_out '{"name":"Customer"}
{"name":"Order"}
{"name":"OrderItem"}
{"name":"Product"}'
run schema
expect_ok
jcheck 'rows.length === 1 && o.Order.customer === "-> Customer" && o.Order.total === "decimal(10,2)!" && o.Customer.tier === "string" && Object.keys(o).join() === "Customer,Order,OrderItem,Product"'

section "init: schema evolution (separate database)"
EVO=$SCRATCH/evo
run_db "$EVO" init --schema "$EX/schema.json"
expect_ok
node -e '
  const fs = require("fs");
  const base = () => JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const evolved = base();
  evolved.Customer.phone = "string?";
  evolved.Supplier = { name: "string!" };
  fs.writeFileSync(process.argv[2], JSON.stringify(evolved, null, 2));
  const dropped = JSON.parse(JSON.stringify(evolved));
  delete dropped.Supplier;
  fs.writeFileSync(process.argv[3], JSON.stringify(dropped, null, 2));
  const retyped = JSON.parse(JSON.stringify(evolved));
  retyped.Order.status = "int!";
  fs.writeFileSync(process.argv[4], JSON.stringify(retyped, null, 2));
' "$EX/schema.json" "$SCRATCH/evolved.json" "$SCRATCH/dropped.json" "$SCRATCH/retyped.json"
run_db "$EVO" init --schema "$SCRATCH/evolved.json"
expect_ok
expect_out "{\"path\":\"$EVO\",\"created\":false,\"schema_changed\":true,\"collections\":[\"Customer\",\"Order\",\"OrderItem\",\"Product\",\"Supplier\"]}"
run_db "$EVO" init --schema "$SCRATCH/dropped.json"
expect_failure "schema $SCRATCH/dropped.json is not compatible with $EVO: schema drops collection 'Supplier', which holds data in this database"
run_db "$EVO" init --schema "$SCRATCH/retyped.json"
expect_rc 1
expect_err_has "schema changes the type of Order.status from 'string!' to 'int!'"
printf '{\n  "Customer": {"name": "string!",}\n}\n' >"$SCRATCH/malformed.json"
run_db "$EVO" init --schema "$SCRATCH/malformed.json"
expect_rc 1
expect_err_has "parquedb: schema $SCRATCH/malformed.json: invalid JSON at line 2, column 34:"
run_db "$EVO" init --schema "$SCRATCH/missing.json"
expect_failure "cannot open '$SCRATCH/missing.json': No such file or directory"
run_db "$EVO" collections
expect_ok
expect_out_has '{"name":"Supplier"}'

# ---------------------------------------------------------------------------
section "insert: bulk load of the example data"
run insert Customer "$EX/customers.ndjson"
expect_ok
jcheck 'rows.length === 8 && rows.every((r, i) => r["$id"] === "cus_0" + (i + 1) && r["$type"] === "Customer" && r.version === 1 && ISO.test(r.createdAt) && r.createdAt === r.updatedAt)'
jcheck 'JSON.stringify(Object.keys(o)) === JSON.stringify(["$id","$type","name","email","tier","createdAt","updatedAt","version"])'
jcheck 'o.name === "Ada Lovelace" && o.tier === "gold" && !("tier" in rows[3])'
run insert Product "$EX/products.ndjson" --quiet
expect_ok
expect_out '{"inserted":10}'
# Orders: keep the stored form of ord_005 for time travel below.
run insert Order "$EX/orders.ndjson"
expect_ok
jcheck 'rows.length === 24 && rows[4]["$id"] === "ord_005" && rows[4].total === "655.49" && rows[4].status === "shipped"'
ORD5_CREATED=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[4]).updatedAt)' "$OUT_FILE")
STDIN=$EX/order_items.ndjson
run insert OrderItem - --quiet
expect_ok
expect_out '{"inserted":58}'

section "count"
run count Order
expect_ok
expect_out '{"count":24}'
run count Order '{"status": "cancelled"}'
expect_out '{"count":3}'
run count OrderItem '{"quantity": {"$gte": 3}}'
expect_out '{"count":19}'
run count Order '{"$or": [{"status": "pending"}, {"status": "delivered"}]}'
expect_out '{"count":6}'
run count Order '{"status": {"$in": ["paid", "shipped"]}, "total": {"$lt": 500}}'
expect_ok
expect_out '{"count":6}'

section "find: filter, sort, limit, skip, project"
run find Order '{"status": "paid"}' --project '{"status": 1, "total": 1}'
expect_ok
expect_out '{"$id":"ord_001","status":"paid","total":"1418.97"}
{"$id":"ord_002","status":"paid","total":"558.00"}
{"$id":"ord_006","status":"paid","total":"1570.97"}
{"$id":"ord_009","status":"paid","total":"474.46"}
{"$id":"ord_013","status":"paid","total":"685.93"}
{"$id":"ord_015","status":"paid","total":"114.47"}
{"$id":"ord_016","status":"paid","total":"39.50"}'
run find Product --sort '{"price": -1}' --limit 2 --skip 1 --project '{"name": 1, "price": 1}'
expect_ok
expect_out '{"$id":"prd_04","name":"27\" Monitor","price":"279.00"}
{"$id":"prd_06","name":"Noise-Cancelling Headphones","price":"199.99"}'
run find Order '{"status": "paid"}' --sort '{"total": 1}' --skip 5 --project '{"total": 1}'
expect_ok
expect_out '{"$id":"ord_001","total":"1418.97"}
{"$id":"ord_006","total":"1570.97"}'
run find Customer '{"tier": {"$exists": false}}' --project '{"createdAt": 0, "updatedAt": 0, "version": 0}'
expect_ok
expect_out '{"$id":"cus_04","$type":"Customer","name":"Edsger Dijkstra","email":"edsger@example.com"}
{"$id":"cus_06","$type":"Customer","name":"Donald Knuth","email":"don@example.com"}'
run find Customer '{"email": {"$regex": "^(ada|ken)@"}}' --project '{"name": 1}' --limit 5
expect_ok
expect_out '{"$id":"cus_01","name":"Ada Lovelace"}
{"$id":"cus_08","name":"Ken Thompson"}'
run find Order '{}' --limit 0
expect_ok
expect_out ''

section "find: include relations"
run find Order '{"customer": "cus_03"}' --include customer,items.product
expect_ok
jcheck 'rows.length === 1 && o["$id"] === "ord_011" && o.customer.name === "Grace Hopper" && o.customer["$id"] === "cus_03"'
jcheck 'o.items.length === 3 && o.items.map((i) => i["$id"]).join() === "itm_031,itm_032,itm_033" && o.items.every((i) => i.order === "ord_011")'
jcheck 'o.items[2].product.name === "27\" Monitor" && o.items[2].product.sku === "SKU-1004" && o.items[2].quantity === 3 && o.items[2].price === "279.00"'
run find Order '{"customer": "cus_03"}' --include items --include customer --project '{"items": 1, "customer": 1}'
expect_ok
jcheck 'o.items.length === 3 && o.items[0].product === "prd_05" && o.customer.email === "grace@example.com"'
run find Order --include nope
expect_failure "include 'nope': Order has no relation field 'nope'"

section "get"
run get Customer cus_02
expect_ok
jcheck 'rows.length === 1 && o.name === "Alan Turing" && o.email === "alan@example.com" && o.version === 1'
run get Customer nope
expect_failure "Customer has no document with \$id 'nope'"

# ---------------------------------------------------------------------------
section "bad input: nothing of a failed batch is stored"
printf '{"name": "X1", "email": "x1@example.com"}\n{"name": "X2", "email": "x2@example.com"}\n\n{"name": "X3", email: "x3"}\n' >"$SCRATCH/bad_json.ndjson"
run insert Customer "$SCRATCH/bad_json.ndjson"
expect_failure "$SCRATCH/bad_json.ndjson: invalid JSON at line 4, column 16: syntax error while parsing object key - invalid literal; last read: '\"X3\", e'; expected string literal"
run count Customer
expect_out '{"count":8}'
printf '{"name": "X1", "email": "x1@example.com"}\n{"name": "X2", "email": "x2@example.com"}\n{"name": "X3"}\n' >"$SCRATCH/bad_doc.ndjson"
STDIN=$SCRATCH/bad_doc.ndjson
run insert Customer
expect_failure "stdin: line 3: Customer.email: required field is missing (string!)"
run count Customer
expect_out '{"count":8}'
printf '{"name": "X1", "email": "x1@example.com", "zip": 12345}\n' >"$SCRATCH/unknown_field.ndjson"
run insert Customer "$SCRATCH/unknown_field.ndjson"
expect_failure "$SCRATCH/unknown_field.ndjson: line 1: unknown field 'zip' in Customer (declared fields: name, email, tier)"
printf '{"$id": "new_1", "name": "N", "email": "n@example.com"}\n{"$id": "cus_01", "name": "Dup", "email": "d@example.com"}\n' >"$SCRATCH/dup.ndjson"
run insert Customer "$SCRATCH/dup.ndjson"
expect_failure "$SCRATCH/dup.ndjson: line 2: Customer already has a document with \$id 'cus_01'"
run get Customer new_1
expect_rc 1
printf '[{"name": "A", "email": "a@example.com"},\n 5]\n' >"$SCRATCH/array_bad.json"
run insert Customer "$SCRATCH/array_bad.json"
expect_failure "$SCRATCH/array_bad.json: element 2: expected a JSON object (a document), got int"
printf '[{"name": "A", "email": "a@example.com"},\n {"name": "B" "email": "b@example.com"}]\n' >"$SCRATCH/array_malformed.json"
run insert Customer "$SCRATCH/array_malformed.json"
expect_rc 1
expect_err_has "$SCRATCH/array_malformed.json: invalid JSON at line 2, column 21:"
run count Customer
expect_out '{"count":8}'

section "bad input: unknown collection"
run insert Nope "$EX/customers.ndjson"
expect_failure "$EX/customers.ndjson: line 1: no collection 'Nope' (collections: Customer, Order, OrderItem, Product)"
run find Nope
expect_failure "no collection 'Nope' (collections: Customer, Order, OrderItem, Product)"
run count Nope '{}'
expect_rc 1

section "bad input: decimals"
printf '{"total": "12.345", "status": "paid"}\n' >"$SCRATCH/bad_dec1.ndjson"
run insert Order "$SCRATCH/bad_dec1.ndjson"
expect_failure "$SCRATCH/bad_dec1.ndjson: line 1: Order.total: \"12.345\" has more than 2 fractional digits for decimal(10,2)"
printf '{"total": "10.00", "status": "paid"}\n{"total": "12,5", "status": "paid"}\n' >"$SCRATCH/bad_dec2.ndjson"
run insert Order "$SCRATCH/bad_dec2.ndjson"
expect_rc 1
expect_err_has "line 2: Order.total: \"12,5\" is not a valid decimal for decimal(10,2)"
run update Order ord_001 '{"total": "123456789.00"}'
expect_rc 1
expect_err_has "Order.total"
run count Order
expect_out '{"count":24}'
run get Order ord_001
jcheck 'o.total === "1418.97" && o.version === 1'

section "bad input: filters and arguments"
run find Order '{"total": {"$foo": 1}}'
expect_failure "filter: unknown operator '\$foo' at path 'total'"
run find Order '{"status": "paid"'
expect_usage_error "filter: invalid JSON at line 1, column 18:"
run find Order --sort '{"total" -1}'
expect_usage_error "--sort: invalid JSON at line 1, column 11:"
run find Order --project '[1,'
expect_usage_error "--project: invalid JSON"
run find Order --as-of yesterday
expect_usage_error "--as-of: invalid timestamp 'yesterday'"
run get Order ord_001 --as-of 2026-13-01T00:00:00Z
expect_usage_error "--as-of: invalid timestamp '2026-13-01T00:00:00Z'"
run count Order --as-of 2026-02-30
expect_usage_error "--as-of: invalid timestamp"
run find Order --limit -1
expect_usage_error "--limit: '-1' is not an integer >= 0"
run find Order --skip x
expect_usage_error "--skip: 'x' is not an integer >= 0"
run update Order ord_001 '{"status": }'
expect_usage_error "update JSON: invalid JSON at line 1, column 12:"
run insert Customer "$SCRATCH/missing.ndjson"
expect_failure "cannot open '$SCRATCH/missing.ndjson': No such file or directory"

section "batches: --batch-size keeps completed batches (separate database)"
printf '{"name": "B1", "email": "b1@x"}\n{"name": "B2", "email": "b2@x"}\n{"name": "B3", "email": "b3@x"}\n{"name": "B4"}\n{"name": "B5", "email": "b5@x"}\n' >"$SCRATCH/batches.ndjson"
run_db "$EVO" insert Customer "$SCRATCH/batches.ndjson" --batch-size 2 --quiet
expect_rc 1
expect_err "parquedb: $SCRATCH/batches.ndjson: line 4: Customer.email: required field is missing (string!) (2 documents of earlier batches were stored)"
run_db "$EVO" count Customer
expect_out '{"count":2}'
printf '[{"name": "A1", "email": "a1@x"}, {"name": "A2", "email": "a2@x", "tier": null},\n {"name": "A3", "email": "a3@x"}]' >"$SCRATCH/array.json"
STDIN=$SCRATCH/array.json
run_db "$EVO" insert Customer - --batch-size 2
expect_ok
jcheck 'rows.length === 3 && rows.map((r) => r.name).join() === "A1,A2,A3" && rows[1].tier === null'
run_db "$EVO" count Customer
expect_out '{"count":5}'

# ---------------------------------------------------------------------------
section "update, delete and time travel before any flush"
run update Order ord_005 '{"$set": {"status": "delivered"}}'
expect_ok
jcheck 'o["$id"] === "ord_005" && o.status === "delivered" && o.total === "655.49" && o.version === 2 && o.customer === "cus_05"'
jcheck "o.createdAt === \"$ORD5_CREATED\" && o.updatedAt > o.createdAt"
ORD5_V2=$(jfield updatedAt)
run get Order ord_005 --as-of "$ORD5_CREATED"
expect_ok
jcheck 'o.status === "shipped" && o.version === 1 && o.updatedAt === o.createdAt'
run get Order ord_005 --as-of "$ORD5_V2"
jcheck 'o.status === "delivered" && o.version === 2'
run count Order '{"status": "delivered"}' --as-of "$ORD5_CREATED"
expect_out '{"count":2}'
run count Order '{"status": "delivered"}'
expect_out '{"count":3}'
run update Order nope '{"status": "x"}'
expect_failure "Order has no document with \$id 'nope'"
run delete Order ord_014
expect_ok
expect_out '{"deleted":true,"collection":"Order","id":"ord_014"}'
run delete Order ord_014
expect_failure "Order has no document with \$id 'ord_014'"
run get Order ord_014
expect_rc 1
run get Order ord_014 --as-of "$ORD5_V2"
expect_ok
jcheck 'o.status === "cancelled" && o.total === "45.00"'
run count Order
expect_out '{"count":23}'

# ---------------------------------------------------------------------------
section "changes"
run changes --limit 3
expect_ok
jcheck 'rows.length === 3 && rows.map((r) => r.seq).join() === "1,2,3" && rows.every((r) => r.op === "CREATE" && r.collection === "Customer" && r.before === null && ISO.test(r.timestamp))'
jcheck 'JSON.stringify(Object.keys(o)) === JSON.stringify(["seq","timestamp","op","collection","id","before","after"]) && o.id === "cus_01" && o.after.name === "Ada Lovelace"'
run changes --from 101
expect_ok
jcheck 'rows.length === 2 && rows[0].seq === 101 && rows[0].op === "UPDATE" && rows[0].id === "ord_005" && rows[0].before.status === "shipped" && rows[0].after.status === "delivered" && rows[0].before.version === 1'
jcheck 'rows[1].seq === 102 && rows[1].op === "DELETE" && rows[1].collection === "Order" && rows[1].id === "ord_014" && rows[1].before.total === "45.00" && rows[1].after === null'
run changes
expect_ok
jcheck 'rows.length === 102 && rows.every((r, i) => r.seq === i + 1)'
run changes --from 500
expect_ok
expect_out ''
run changes --from 0
expect_usage_error "--from: '0' is not an integer >= 1"

# ---------------------------------------------------------------------------
section "flush, reopen, compact"
run flush
expect_ok
expect_out '{"flushed":true,"last_seq":102}'
CHECKS=$((CHECKS + 1))
[ -n "$(find "$DB" -name '*.parquet' -print -quit)" ] || fail "flush wrote no Parquet file"
run count Order
expect_out '{"count":23}'
run find Order '{"status": "paid"}' --sort '{"total": -1}' --limit 1 --project '{"total": 1}'
expect_out '{"$id":"ord_006","total":"1570.97"}'
run get Order ord_005
jcheck 'o.status === "delivered" && o.version === 2'
run changes --from 102
jcheck 'rows.length === 1 && rows[0].op === "DELETE"'

section "time travel after a flush"
run update Order ord_005 '{"status": "returned"}'
expect_ok
ORD5_V3=$(jfield updatedAt)
jcheck 'o.version === 3 && o.status === "returned"'
run update Order ord_005 '{"$unset": {"customer": true}}'
expect_ok
jcheck 'o.version === 4 && !("customer" in o) && o.status === "returned"'
run get Order ord_005 --as-of "$ORD5_V3"
expect_ok
jcheck 'o.version === 3 && o.status === "returned" && o.customer === "cus_05"'
run find Order '{"customer": "cus_05"}' --as-of "$ORD5_V3" --project '{"status": 1}'
expect_ok
expect_out '{"$id":"ord_005","status":"returned"}
{"$id":"ord_010","status":"cancelled"}
{"$id":"ord_013","status":"paid"}
{"$id":"ord_017","status":"shipped"}'
run find Order '{"customer": "cus_05"}' --project '{"status": 1}'
expect_out '{"$id":"ord_010","status":"cancelled"}
{"$id":"ord_013","status":"paid"}
{"$id":"ord_017","status":"shipped"}'
run get Order ord_005 --as-of 2001-01-01T00:00:00Z
expect_rc 1
expect_err_has "before the retained history"

run compact
expect_ok
expect_out '{"compacted":true,"last_seq":104}'
run count Order
expect_out '{"count":23}'
run get Order ord_005 --as-of "$ORD5_V3"
jcheck 'o.version === 3'
run vacuum --retention-days 30
expect_ok
jcheck 'o.vacuumed === true && o.retention_micros === 30 * 86400 * 1e6 && ISO.test(o.cutoff) && ISO.test(o.history_horizon)'
run vacuum --retention-hours 1.5
expect_ok
jcheck 'o.retention_micros === 1.5 * 3600 * 1e6'
run vacuum
expect_usage_error "vacuum needs exactly one of --retention-days N or --retention-hours N"
run count Order
expect_out '{"count":23}'

# ---------------------------------------------------------------------------
section "single writer: changes --follow holds the database"
coproc FOLLOW { exec "$BIN" --db "$DB" changes --follow --from 104 2>"$SCRATCH/follow.err"; }
FOLLOWER=$FOLLOW_PID
# The first event arrives once the follower has the database open (no sleeps).
FIRST=""
read -r -t 30 -u "${FOLLOW[0]}" FIRST || fail "changes --follow printed nothing"
CHECKS=$((CHECKS + 1))
[[ $FIRST == '{"seq":104,'*'"op":"UPDATE"'* ]] || fail "unexpected first follow event: $FIRST"
run delete Order ord_001
expect_rc 1
expect_err "parquedb: database is locked by another process ($DB/LOCK)"
STDIN=$EX/customers.ndjson
run insert Customer
expect_rc 1
expect_err_has "locked by another process"
kill -TERM "$FOLLOWER"
FOLLOW_RC=0
wait "$FOLLOWER" || FOLLOW_RC=$?
FOLLOWER=""
CHECKS=$((CHECKS + 1))
[ "$FOLLOW_RC" -eq 0 ] || fail "changes --follow exited with $FOLLOW_RC on SIGTERM"
[ ! -s "$SCRATCH/follow.err" ] || fail "changes --follow wrote to stderr: $(cat "$SCRATCH/follow.err")"
# The lock is released: writes work again, and nothing was written meanwhile.
run get Order ord_001
expect_ok
jcheck 'o.version === 1'
run delete Order ord_001
expect_ok
run changes --follow --from 105 --limit 1
expect_ok
jcheck 'rows.length === 1 && rows[0].seq === 105 && rows[0].op === "DELETE" && rows[0].id === "ord_001"'

echo "cli_end_to_end: all $CHECKS checks passed"
