#!/usr/bin/env bash
# with-keyring.sh DIR COMMAND [ARG...] — run COMMAND with a real Secret
# Service (gnome-keyring-daemon) on the current D-Bus session, its login
# keyring created and unlocked non-interactively, all of its files under DIR.
# Meant to run inside a private session bus:
#   dbus-run-session -- scripts/mailserver/with-keyring.sh DIR go test ./...
# Exports CONGVU_KEYRING=real to COMMAND once a probe item could be stored
# and read back (through secret-tool when installed; the Go test
# mail/account TestKeyringReal checks again). Without gnome-keyring it runs
# COMMAND without CONGVU_KEYRING (the real keyring tests skip), unless
# CONGVU_REQUIRE_MAIL=1, where that is an error. The daemon is stopped by
# its PID when COMMAND ends; COMMAND's exit status is returned.
set -uo pipefail
DIR=${1:?usage: with-keyring.sh DIR COMMAND [ARG...]}
shift
[ $# -gt 0 ] || { echo "usage: with-keyring.sh DIR COMMAND [ARG...]" >&2; exit 2; }

# fail_or_go_on REASON COMMAND...: without a real keyring, fail (CI) or run
# COMMAND anyway.
fail_or_go_on() {
	local why=$1
	shift
	if [ "${CONGVU_REQUIRE_MAIL:-}" = 1 ]; then
		echo "with-keyring.sh: $why (CONGVU_REQUIRE_MAIL=1)" >&2
		exit 1
	fi
	echo "with-keyring.sh: SKIP real keyring: $why; the keyring tests use mocks only" >&2
	exec "$@"
}

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
	fail_or_go_on "no D-Bus session (run under dbus-run-session)" "$@"
fi
if ! command -v gnome-keyring-daemon >/dev/null; then
	fail_or_go_on "gnome-keyring-daemon is not installed (apt-get install gnome-keyring)" "$@"
fi

mkdir -p "$DIR/xdg-data" "$DIR/xdg-runtime"
chmod 0700 "$DIR/xdg-runtime"
export XDG_DATA_HOME=$DIR/xdg-data XDG_RUNTIME_DIR=$DIR/xdg-runtime

# --unlock reads the password from stdin and creates the login keyring with
# it when there is none. --foreground: $! is the daemon itself.
printf '%s' "congvu-test-keyring" |
	gnome-keyring-daemon --foreground --unlock --components=secrets >"$DIR/gnome-keyring.log" 2>&1 &
GK_PID=$!
echo "$GK_PID" >"$DIR/gnome-keyring.pid" # for the caller's cleanup, should we be killed
stop_keyring() {
	if kill -0 "$GK_PID" 2>/dev/null; then
		kill -TERM "$GK_PID" 2>/dev/null
		for _ in $(seq 1 40); do kill -0 "$GK_PID" 2>/dev/null || return 0; sleep 0.05; done
		kill -KILL "$GK_PID" 2>/dev/null
	fi
	return 0
}
trap stop_keyring EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

on_bus=0
for _ in $(seq 1 100); do
	if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
		on_bus=1
		break
	fi
	kill -0 "$GK_PID" 2>/dev/null || break
	sleep 0.05
done
if [ $on_bus = 0 ]; then
	cat "$DIR/gnome-keyring.log" >&2
	stop_keyring
	trap - EXIT
	fail_or_go_on "gnome-keyring-daemon did not come up on the session bus" "$@"
fi
if command -v secret-tool >/dev/null; then
	probe="probe-$$-$RANDOM"
	if ! printf 'x' | timeout 20 secret-tool store --label="congvu probe" service congvu-probe username "$probe" ||
		[ "$(timeout 20 secret-tool lookup service congvu-probe username "$probe")" != x ]; then
		cat "$DIR/gnome-keyring.log" >&2
		stop_keyring
		trap - EXIT
		fail_or_go_on "the keyring does not store secrets" "$@"
	fi
	timeout 20 secret-tool clear service congvu-probe username "$probe" || true
fi
echo "with-keyring.sh: gnome-keyring-daemon (pid $GK_PID) unlocked on the session bus, CONGVU_KEYRING=real" >&2
export CONGVU_KEYRING=real
"$@"
rc=$?
exit $rc
