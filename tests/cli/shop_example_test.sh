#!/usr/bin/env bash
# Runs the shop demo (examples/shop/run.sh) and checks its key outputs.
#
#   tests/cli/shop_example_test.sh PARQUEDB_BINARY SCRATCH_DIR
set -euo pipefail

BIN=$(realpath "$1")
SCRATCH=$2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
DB=$SCRATCH/data
LOG=$SCRATCH/run.log
CHECKS=0

fail() {
  echo "FAIL: $*" >&2
  echo "---- run.sh output ----" >&2
  cat "$LOG" >&2
  exit 1
}
# The output line printed right after the echoed command line that contains $1.
output_of() {
  awk -v cmd="$1" 'found { print; exit } index($0, "$ parquedb") == 1 && index($0, cmd) { found = 1 }' "$LOG"
}
# The output line after the command line that is exactly "$ parquedb --db DB $1".
after_exact() {
  awk -v cmd="\$ parquedb --db $DB $1" 'found { print; exit } $0 == cmd { found = 1 }' "$LOG"
}
# expect_line COMMAND_SUBSTRING EXPECTED_FIRST_OUTPUT_LINE
expect_line() {
  CHECKS=$((CHECKS + 1))
  local got
  got=$(output_of "$1")
  [ "$got" == "$2" ] || fail "after '$1': expected '$2', got '$got'"
}
expect_has() {
  CHECKS=$((CHECKS + 1))
  grep -qF -- "$1" "$LOG" || fail "expected the output to contain: $1"
}

# Twice: the second run must reset the database it made.
for attempt in 1 2; do
  "$ROOT/examples/shop/run.sh" "$BIN" "$DB" >"$LOG" 2>&1 || fail "run.sh failed (attempt $attempt)"
done

expect_has '"created":true,"schema_changed":true,"collections":["Customer","Order","OrderItem","Product"]}'
expect_line "insert Customer" '{"inserted":8}'
expect_line "insert Product" '{"inserted":10}'
expect_line "insert Order " '{"inserted":24}'
expect_line "insert OrderItem" '{"inserted":58}'
expect_line "find Order '{\"status\": \"paid\"}'" '{"$id":"ord_001","status":"paid","total":"1418.97"}'
expect_line "find Product" '{"$id":"prd_09","name":"Ergonomic Chair","price":"349.00"}'
expect_has '{"$id":"prd_06","name":"Noise-Cancelling Headphones","price":"199.99"}'
CHECKS=$((CHECKS + 1))
output_of "--include customer,items.product" | node -e '
  const o = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const ok = o["$id"] === "ord_007" && o.customer.name === "Ada Lovelace" &&
    o.items.length === 2 && o.items[0].product.name === "27\" Monitor" && o.items[1].product.sku === "SKU-1003";
  process.exit(ok ? 0 : 1);
' || fail "the include step did not inline customer and items.product"
expect_line "count Order '{\"status\": \"shipped\"}'" '{"count":8}'
expect_line "count Order '{\"total\"" '{"count":7}'
expect_has '{"flushed":true,"last_seq":100}'
CHECKS=$((CHECKS + 1))
[[ $(output_of "update Order ord_002") == '{"$id":"ord_002","$type":"Order","total":"558.00","status":"shipped",'*'"version":2}' ]] ||
  fail "update did not print the updated document"
expect_line "delete Order ord_014" '{"deleted":true,"collection":"Order","id":"ord_014"}'
expect_line "delete OrderItem itm_038" '{"deleted":true,"collection":"OrderItem","id":"itm_038"}'
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^{"seq":' "$LOG")" -eq 8 ] || fail "expected 5 + 3 change events"
expect_line "changes --limit 5" "$(grep -m1 '^{"seq":1,' "$LOG")"
expect_has '"op":"UPDATE","collection":"Order","id":"ord_002"'
expect_has '"op":"DELETE","collection":"OrderItem","id":"itm_038"'
expect_has '{"flushed":true,"last_seq":103}'
CHECKS=$((CHECKS + 1))
[[ $(output_of "get Order ord_002 --as-of") == *'"status":"paid"'*'"version":1}' ]] ||
  fail "get --as-of does not show the pre-update version"
CHECKS=$((CHECKS + 1))
[[ $(after_exact "get Order ord_002") == *'"status":"shipped"'*'"version":2}' ]] ||
  fail "get does not show the updated version"
expect_line "count Order --as-of" '{"count":24}'
CHECKS=$((CHECKS + 1))
[ "$(after_exact "count Order")" == '{"count":23}' ] || fail "count after the delete is not 23"

# run.sh refuses to delete a directory that is not a database.
mkdir -p "$SCRATCH/precious"
echo keep >"$SCRATCH/precious/notes.txt"
CHECKS=$((CHECKS + 1))
if "$ROOT/examples/shop/run.sh" "$BIN" "$SCRATCH/precious" >"$LOG" 2>&1; then
  fail "run.sh reset a directory that is not a database"
fi
[ -f "$SCRATCH/precious/notes.txt" ] || fail "run.sh deleted an unrelated directory"

echo "shop_example: all $CHECKS checks passed"
