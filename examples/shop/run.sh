#!/usr/bin/env bash
# The shop demo: a tour of the parquedb CLI on a small customers/orders dataset.
#
#   examples/shop/run.sh [PARQUEDB_BINARY] [DB_DIR]
#
# PARQUEDB_BINARY defaults to build/release/src/tools/parquedb, DB_DIR to ./data.
# DB_DIR is deleted and recreated (the script refuses to delete a non-empty
# directory that does not look like a ParqueDB database).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-build/release/src/tools/parquedb}
DB=${2:-./data}

if [ ! -x "$BIN" ]; then
  echo "run.sh: parquedb binary not found at '$BIN' (build it first: scripts/dev.sh build)" >&2
  exit 2
fi

heading() { printf '\n==> %s\n' "$*"; }
# Echoes the command line (shell-quoted for copy and paste), then runs it.
pq() {
  local line="\$ parquedb --db $DB" arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:,=@+-]+$ ]]; then
      line+=" $arg"
    else
      line+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  echo "$line"
  "$BIN" --db "$DB" "$@"
}

reset_db_dir() {
  case "$DB" in
    "" | / | . | .. | "$HOME") echo "run.sh: refusing to use '$DB' as the database dir" >&2; exit 2 ;;
  esac
  if [ -d "$DB" ] && [ -n "$(ls -A "$DB")" ] && [ ! -f "$DB/schema.json" ] &&
    [ -n "$(find "$DB" -mindepth 1 -maxdepth 1 ! -name '*.parquet' -print -quit)" ]; then
    echo "run.sh: '$DB' is not empty and is not a ParqueDB database; not deleting it" >&2
    exit 2
  fi
  rm -rf "$DB"
}

heading "1. Create a fresh database in $DB with the shop schema"
reset_db_dir
pq init --schema "$HERE/schema.json"
pq collections

heading "2. Load the dataset (each file is one atomic batch)"
pq insert Customer "$HERE/customers.ndjson" --quiet
pq insert Product "$HERE/products.ndjson" --quiet
pq insert Order "$HERE/orders.ndjson" --quiet
pq insert OrderItem "$HERE/order_items.ndjson" --quiet

heading "3. Find: paid orders (filter + projection)"
pq find Order '{"status": "paid"}' --project '{"status": 1, "total": 1}'

heading "4. Find: the three most expensive products (sort + limit)"
pq find Product --sort '{"price": -1}' --limit 3 --project '{"name": 1, "price": 1}'

heading "5. Find: Ada's largest order, with its customer and items.product inlined (include)"
pq find Order '{"customer": "cus_01"}' --sort '{"total": -1}' --limit 1 \
  --include customer,items.product --project '{"total": 1, "status": 1, "customer": 1, "items": 1}'

heading "6. Count: shipped orders, and orders of 1000.00 or more"
pq count Order '{"status": "shipped"}'
pq count Order '{"total": {"$gte": 1000}}'

heading "7. Flush: commit everything to Parquet data files (a snapshot)"
pq flush
# The instant before the changes below, for time travel in step 11.
BEFORE=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
echo "(remembered BEFORE=$BEFORE)"

heading "8. Update: order ord_002 ships"
pq update Order ord_002 '{"$set": {"status": "shipped"}}'

heading "9. Delete: the cancelled order ord_014 and its item"
pq delete Order ord_014
pq delete OrderItem itm_038

heading "10. Change stream: the first 5 events, then the update and the deletes"
pq changes --limit 5
pq changes --from 101

heading "11. Flush again, then time travel: ord_002 now and as of BEFORE"
pq flush
pq get Order ord_002
pq get Order ord_002 --as-of "$BEFORE"
pq count Order
pq count Order --as-of "$BEFORE"

heading "Done. The database is in $DB; try: $BIN --db $DB --help"
