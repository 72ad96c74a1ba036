#!/usr/bin/env bash
# `--help` on every command of the parquedb CLI, and errors for unknown commands and
# options. The command list is read from the program's own help output (recursively
# for command groups), so a new command is checked without editing this test.
#
#   cli_help_test.sh PARQUEDB
set -euo pipefail
BIN=$1
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

checked=0
# check_help WORD...: `parquedb WORD... --help` (and -h) exits 0 with a usage line, an
# Options section, and a description for every option and positional; then recurses
# into the subcommands it lists.
check_help() {
  local out
  out=$("$BIN" "$@" --help 2>&1) || fail "parquedb $* --help exited $?"
  grep -q "^Usage: parquedb" <<<"$out" || fail "parquedb $* --help: no Usage line"$'\n'"$out"
  grep -q "^Options:" <<<"$out" || fail "parquedb $* --help: no Options section"
  grep -q -- "-h,--help" <<<"$out" || fail "parquedb $* --help: --help not listed"
  [[ "$("$BIN" "$@" -h 2>&1)" == "$out" ]] || fail "parquedb $* -h differs from --help"
  # Every entry of the Options/Positionals sections has a description: text after the
  # name column on the same line, or an indented continuation line.
  local undocumented
  undocumented=$(awk '
    /^(Options|Positionals):$/ { sec = 1; next }
    /^[^ ]/ || /^$/ { if (pending != "") print pending; pending = ""; sec = 0; next }
    sec && /^  [^ ]/ {
      if (pending != "") print pending
      pending = ($0 ~ /^  [^ ].*[^ ]   *[^ ]/) ? "" : $0
      next
    }
    sec && /^      *[^ ]/ { pending = ""; next }
    END { if (pending != "") print pending }' <<<"$out")
  [[ -z "$undocumented" ]] || fail "parquedb $* --help: options without a description:"$'\n'"$undocumented"
  checked=$((checked + 1))
  local subs
  subs=$(awk '/^Subcommands:$/ { f = 1; next } /^$/ { f = 0 } f && /^  [a-z]/ { print $1 }' <<<"$out")
  local s
  for s in $subs; do check_help "$@" "$s"; done
  echo "$*" >>"$LIST"
}

LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
check_help
# The list really came from the help output: the documented command set is in it.
for c in init insert get update delete find count flush compact vacuum changes collections \
  schema serve ingest sql views "views list" "views state" "views refresh" "views drop" \
  "views alter" "views vacuum" "views define"; do
  grep -qx "$c" "$LIST" || fail "command '$c' not found in the --help output"
done
echo "checked --help of $checked commands"

# The global flag is documented at the top level.
"$BIN" --help | grep -q -- "--no-progress" || fail "--no-progress not in the top-level help"

# Unknown command / option / subcommand: a clear error on stderr, exit 2, nothing on stdout.
expect_usage_error() {  # expected-text args...
  local want=$1
  shift
  local out err rc=0
  out=$("$BIN" "$@" 2>/tmp/cli_help_err.$$) || rc=$?
  err=$(cat /tmp/cli_help_err.$$)
  rm -f /tmp/cli_help_err.$$
  [[ $rc -eq 2 ]] || fail "parquedb $*: exit $rc, want 2 (stderr: $err)"
  [[ -z "$out" ]] || fail "parquedb $*: printed on stdout: $out"
  grep -qF -- "$want" <<<"$err" || fail "parquedb $*: stderr '$err' lacks '$want'"
}
expect_usage_error "unknown command 'nosuch'" nosuch
expect_usage_error "--bogus" find Order --bogus
expect_usage_error "--bogus" --bogus
expect_usage_error "nosuch" views nosuch
expect_usage_error "--bogus" views state --bogus
expect_usage_error "--json" views list --json --table
echo "PASS"
