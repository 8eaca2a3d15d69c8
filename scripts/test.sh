#!/usr/bin/env bash
# test.sh — what `make test` runs: build the app (a broken main fails
# here), open it for real under a private Xvfb as a smoke test, then start
# a private mail server (Dovecot + Postfix on free loopback ports,
# scripts/mailserver) and a Secret Service (gnome-keyring on a private D-Bus
# session) and run every Go test with the race detector against them. It
# stops what it started, by PID, even when a step fails.
#
# The Go tests find the servers through CONGVU_MAIL_* (see mail/mailtest):
# CONGVU_MAIL_ROOT, CONGVU_MAIL_CA, CONGVU_MAIL_{IMAP,IMAPS,LMTP,SMTP,
# SUBMISSION,SUBMISSIONS}_PORT, CONGVU_MAIL_SCRIPTS, CONGVU_REQUIRE_MAIL=1
# (as root: a missing server fails the mail tests instead of skipping them)
# and CONGVU_KEYRING=real. Not root: Dovecot cannot start as designed, the
# mail tests skip (each says why).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
ROOTDIR=$(pwd -P)

pids=()
mail_state=""
work=$(mktemp -d /tmp/congvu-test.XXXXXX)
chmod 0755 "$work" # Dovecot's and Postfix's users must traverse it
cleanup() {
	local t0
	if [ -n "$mail_state" ]; then
		t0=$(date +%s%N)
		bash scripts/mailserver/stop.sh "$mail_state" 2>&1 | sed 's/^/   /' || true
		echo "== mail servers stopped in $(secs "$t0") s (started in ${mail_start_secs:-?} s)"
	fi
	# the keyring daemon (with-keyring.sh stops it itself; this is the fallback)
	local gk
	gk=$(cat "$work/keyring/gnome-keyring.pid" 2>/dev/null || true)
	if [ -n "$gk" ] && grep -qa gnome-keyring "/proc/$gk/cmdline" 2>/dev/null; then pids+=("$gk"); fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
secs() { awk "BEGIN { printf \"%.2f\", ($(date +%s%N) - $1) / 1e9 }"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== go vet"
$GO vet ./...
echo "== build"
$GO build -o bin/congvu .

# A private X server for the smoke test (and later for UI screenshots).
disp=""
for n in $(seq 90 120); do
	if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then disp=":$n"; break; fi
done
Xvfb "$disp" -screen 0 1366x768x24 -nolisten tcp >/tmp/congvu-xvfb.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done

echo "== smoke: the window opens on a demo agency ($disp)"
smoke=$(mktemp -d)
DISPLAY=$disp ./bin/congvu demo --data "$smoke/data" --quit-after 4s
echo "== smoke: the measuring flags (first frame, search box)"
DISPLAY=$disp timeout 60 ./bin/congvu demo --data "$smoke/data" --first-frame 2>&1 | grep 'first frame'
DISPLAY=$disp timeout 60 ./bin/congvu demo --data "$smoke/data" --type-search "dat dai" 2>&1 | grep -E 'search "dat dai" [1-9][0-9]* results'
echo "== smoke: the first start on an empty folder shows the setup"
DISPLAY=$disp HOME="$smoke/home" ./bin/congvu --data "$smoke/empty" --quit-after 2s
echo "== linux package: the .deb holds the program, its menu entry and icon"
deb=$(./scripts/linux-package.sh "$smoke/dist")
contents=$(dpkg-deb --contents "$deb")
for f in ./usr/bin/congvu ./usr/share/applications/vn.gov.congvu.desktop ./usr/share/icons/hicolor/256x256/apps/vn.gov.congvu.png ./usr/share/doc/congvu/copyright; do
	grep -q " $f\$" <<<"$contents" || { echo "missing in $deb: $f"; exit 1; }
done
dpkg-deb --field "$deb" Package Version Depends
rm -rf "$smoke"

echo "== numbering: 8 goroutines × 5,000 registrations (full size, without -race)"
$GO test -count=1 -run 'TestNumberingConcurrentNoDuplicateNoGap' ./docs-store/

# ---- mail servers and keyring for the mail tests ----
if [ "$(id -u)" = 0 ]; then
	echo "== mail: Dovecot + Postfix on free loopback ports (scripts/mailserver)"
	export CONGVU_REQUIRE_MAIL=1
	mail_state="$work/mail"
	t0=$(date +%s%N)
	mail_env=$(bash scripts/mailserver/start.sh "$mail_state")
	while IFS='=' read -r k v; do
		case $k in
		[A-Z]*) export "CONGVU_$k=$v" ;;
		esac
	done <<<"$mail_env"
	export CONGVU_MAIL_SCRIPTS="$ROOTDIR/scripts/mailserver"
	mail_start_secs=$(secs "$t0")
	echo "== mail servers started in $mail_start_secs s: IMAP $CONGVU_MAIL_IMAP_PORT, IMAPS $CONGVU_MAIL_IMAPS_PORT, SMTP $CONGVU_MAIL_SMTP_PORT, submission $CONGVU_MAIL_SUBMISSION_PORT, submissions $CONGVU_MAIL_SUBMISSIONS_PORT (state $mail_state)"
else
	echo "== mail: SKIP the real mail servers: not root (Dovecot must be started as root); the mail tests will skip"
fi

gotest=("$GO" test -race -timeout 25m ./...)
echo "== go test -race ./..."
if command -v dbus-run-session >/dev/null; then
	mkdir -p "$work/keyring"
	dbus-run-session -- bash scripts/mailserver/with-keyring.sh "$work/keyring" "${gotest[@]}" 2>&1 | tee /tmp/congvu-test.log
else
	if [ "${CONGVU_REQUIRE_MAIL:-}" = 1 ]; then
		echo "test.sh: dbus-run-session missing (apt-get install dbus)" >&2
		exit 1
	fi
	echo "== keyring: SKIP the real keyring: no dbus-run-session (apt-get install dbus gnome-keyring)"
	"${gotest[@]}" 2>&1 | tee /tmp/congvu-test.log
fi
