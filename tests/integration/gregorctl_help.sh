#!/usr/bin/env bash
# gregorctl's command line without a cluster: every verb that
# "gregorctl --help" lists answers --help on stdout with exit 0 (and a
# usage line naming the verb), --version prints the project version, an
# unknown verb or option is a usage error (64) with a message on stderr.
# Usage: gregorctl_help.sh GREGORCTL
source "$(dirname "$0")/lib.sh"

# exited_with RC WANT PATTERN FILE: RC is WANT and FILE matches PATTERN.
exited_with() { (($1 == $2)) && grep -q "$3" "$4"; }

GCTL=${1:?usage: gregorctl_help.sh GREGORCTL}
[[ -x $GCTL ]] || fail "gregorctl missing: $GCTL"
work=$(mktemp -d)
on_exit "rm -rf '$work'"

"$GCTL" --help >"$work/top" 2>"$work/top.err" || fail "gregorctl --help: exit $?"
[[ ! -s $work/top.err ]] || fail "gregorctl --help wrote to stderr: $(cat "$work/top.err")"
mapfile -t verbs < <(sed -n '/^verbs:/,/^exit status/{s/^  \([a-z][a-z-]*\) .*/\1/p}' "$work/top")
((${#verbs[@]} >= 15)) || fail "only ${#verbs[@]} verbs listed: $(cat "$work/top")"
for v in topics configs acls consumer-groups reassign leader-election transactions \
	delete-records log-dirs broker-api-versions dump-log users health; do
	# a here-string, not a pipe: grep -q leaves at the first match, and
	# under pipefail printf's SIGPIPE on its next line would fail the check
	grep -qx "$v" <<<"$(printf '%s\n' "${verbs[@]}")" || fail "verb $v not listed"
done

for v in "${verbs[@]}"; do
	rc=0
	"$GCTL" "$v" --help >"$work/out" 2>"$work/err" || rc=$?
	((rc == 0)) || fail "$v --help: exit $rc ($(cat "$work/err"))"
	[[ ! -s $work/err ]] || fail "$v --help wrote to stderr: $(cat "$work/err")"
	# an alias (groups) shows the usage of the verb it stands for
	grep -Eq "^usage: gregorctl ($v|consumer-groups) " "$work/out" ||
		fail "$v --help: no usage line: $(head -3 "$work/out")"
	# the same through the option-first form operators type
	"$GCTL" --timeout 5 "$v" --help >/dev/null || fail "--timeout 5 $v --help failed"
	rc=0
	"$GCTL" "$v" --no-such-option >/dev/null 2>"$work/err" || rc=$?
	((rc == 64)) || fail "$v --no-such-option: exit $rc, expected 64"
	[[ -s $work/err ]] || fail "$v: a usage error with nothing on stderr"
done
note "${#verbs[@]} verbs answer --help"

[[ $("$GCTL" --version) =~ ^gregorctl\ [0-9]+\.[0-9]+\.[0-9]+$ ]] ||
	fail "--version: $("$GCTL" --version)"
rc=0
"$GCTL" no-such-verb 2>/dev/null || rc=$?
((rc == 64)) || fail "unknown verb: exit $rc, expected 64"
rc=0
"$GCTL" 2>/dev/null || rc=$?
((rc == 64)) || fail "no verb: exit $rc, expected 64"
rc=0
"$GCTL" topics --list --zookeeper 2>/dev/null || rc=$?
((rc == 64)) || fail "option without its value: exit $rc, expected 64"
rc=0
"$GCTL" consumer-groups --list 2>/dev/null || rc=$?
((rc == 64)) || fail "consumer-groups without --bootstrap-server: exit $rc, expected 64"
rc=0
"$GCTL" configs --bootstrap-server 127.0.0.1:1 --alter --topic t --add-config 'novalue' 2>/dev/null || rc=$?
((rc == 64)) || fail "--add-config without '=': exit $rc, expected 64"
rc=0
"$GCTL" dump-log --files "$work/none.log" 2>"$work/err" || rc=$?
exited_with "$rc" 1 "none.log" "$work/err" || fail "dump-log of a missing file: exit $rc, $(cat "$work/err")"
# more comma-separated values than arguments: each file is tried
rc=0
"$GCTL" dump-log --files "$work/a.log,$work/b.log,$work/c.log,$work/d.log,$work/e.log,$work/f.log" \
	2>"$work/err" || rc=$?
((rc == 1)) || fail "6 missing files: exit $rc"
(($(grep -c 'No such file' "$work/err") == 6)) || fail "6 missing files: $(cat "$work/err")"
# a torn segment: a batch header cut short is reported, not read past
printf '\0\0\0\0\0\0\0\0\0\0\0\x50garbage' >"$work/00000000000000000000.log"
rc=0
"$GCTL" dump-log --files "$work/00000000000000000000.log" >"$work/out" 2>&1 || rc=$?
exited_with "$rc" 1 "invalid bytes" "$work/out" || fail "torn segment: exit $rc: $(cat "$work/out")"
note "usage errors exit 64, --version ok"
