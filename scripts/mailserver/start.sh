#!/usr/bin/env bash
# start.sh STATE_DIR — a throw-away mail server for the tests of Công vụ:
# Dovecot (IMAP, IMAPS, LMTP) and Postfix (SMTP, submission, submissions),
# listening on 127.0.0.1 only, with every piece of state (config, TLS
# certificate, maildirs, queue, logs, pid files) under STATE_DIR. No systemd,
# nothing in /etc is touched. Stop it with stop.sh STATE_DIR; restart or crash
# one server with dovecot.sh / postfix.sh STATE_DIR start|stop|kill.
#
# Adapted from the verified recipe /work/shared/recipes/mail-loopback
# (start-mail.sh and its templates); the differences: free ports are chosen
# automatically so that several instances coexist, more users, and the
# process handling lives in lib.sh.
#
# Must run as root: Dovecot and Postfix drop to the dovecot, dovenull, mail
# and postfix users themselves. Needs (scripts/deps.sh installs them):
#   dovecot-imapd dovecot-lmtpd postfix openssl
# STATE_DIR and every directory above it must be world-traversable (/tmp or
# a mktemp -d under it is fine; this script chmods STATE_DIR itself to 0755).
#
# Ports: a random free block of six in 20000–60000, kept out of the kernel's
# ephemeral range (so a restart finds its ports still free). Each can be
# fixed through the environment: MAIL_IMAP_PORT (STARTTLS), MAIL_IMAPS_PORT,
# MAIL_LMTP_PORT, MAIL_SMTP_PORT (no AUTH, accepts mail for the test domains),
# MAIL_SUBMISSION_PORT (STARTTLS + AUTH required), MAIL_SUBMISSIONS_PORT.
#
# Users (see ./users; the password is always <local part>pass):
#   clerk, manager, specialist, bench, big, admin, u01..u24 @agency.test;
#   alice@other.test; vanthu@other.test (the other agency's exchange mailbox, mail/exchange)
# Shared folder Shared/VanThu: clerk and manager have every right. The
# journal folders (Shared/Journal-*) are made per test by mailtest.JournalFolders
# (doveadm; see docs/JOURNAL-SERVER.md). Never put a dovecot-acl file in
# public/ itself: Dovecot applies it to every public folder.
#
# Prints KEY=VALUE lines on stdout (eval-able), everything else on stderr:
#   MAIL_ROOT MAIL_CA DOVECOT_PID POSTFIX_PID MAIL_IMAP_PORT MAIL_IMAPS_PORT
#   MAIL_LMTP_PORT MAIL_SMTP_PORT MAIL_SUBMISSION_PORT MAIL_SUBMISSIONS_PORT
#   MAIL_STARTUP_SECONDS
set -euo pipefail

MS_ROOT=${1:?usage: start.sh STATE_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || ms_die "start.sh must run as root (Dovecot and Postfix change to their own users)"
for b in dovecot postfix openssl; do
	command -v "$b" >/dev/null || PATH=$PATH:/usr/sbin:/sbin command -v "$b" >/dev/null ||
		ms_die "$b missing; install: apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd postfix openssl (or run scripts/deps.sh)"
done
export PATH=$PATH:/usr/sbin:/sbin

mkdir -p "$MS_ROOT"
MS_ROOT=$(cd "$MS_ROOT" && pwd -P)
if ms_alive "$(ms_dovecot_pid)" || ms_alive "$(ms_postfix_pid)"; then
	ms_die "already running in $MS_ROOT (stop.sh $MS_ROOT first)"
fi

# The unprivileged daemons (dovecot, dovenull, postfix, mail) must be able to
# traverse every directory above the state dir. mktemp -d creates 0700 dirs!
chmod 0755 "$MS_ROOT"
d=$(dirname "$MS_ROOT")
while [ "$d" != / ]; do
	if [ "$(( 0$(stat -c %a "$d") & 1 ))" = 0 ]; then
		echo "start.sh: WARNING: $d is not world-traversable (chmod o+x it), delivery and login will fail" >&2
	fi
	d=$(dirname "$d")
done

# ---- ports ----
pick_ports() {
	local lo hi base try i
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { lo=32768; hi=60999; }
	for try in $(seq 1 200); do
		base=$(( 20000 + (RANDOM * 32768 + RANDOM) % 39990 ))
		# keep out of the ephemeral range while there is room outside it
		if [ "$try" -le 150 ] && [ $((base + 5)) -ge "$lo" ] && [ "$base" -le "$hi" ]; then continue; fi
		IMAP_PORT=${MAIL_IMAP_PORT:-$base}
		IMAPS_PORT=${MAIL_IMAPS_PORT:-$((base + 1))}
		LMTP_PORT=${MAIL_LMTP_PORT:-$((base + 2))}
		SMTP_PORT=${MAIL_SMTP_PORT:-$((base + 3))}
		SUBMISSION_PORT=${MAIL_SUBMISSION_PORT:-$((base + 4))}
		SUBMISSIONS_PORT=${MAIL_SUBMISSIONS_PORT:-$((base + 5))}
		for i in "$IMAP_PORT" "$IMAPS_PORT" "$LMTP_PORT" "$SMTP_PORT" "$SUBMISSION_PORT" "$SUBMISSIONS_PORT"; do
			ms_port_used "$i" && continue 2
		done
		return 0
	done
	return 1
}
if ! pick_ports; then
	for v in MAIL_IMAP_PORT MAIL_IMAPS_PORT MAIL_LMTP_PORT MAIL_SMTP_PORT MAIL_SUBMISSION_PORT MAIL_SUBMISSIONS_PORT; do
		if [ -n "${!v:-}" ] && ms_port_used "${!v}"; then ms_die "$v=${!v} is in use (ss -tanp | grep :${!v})"; fi
	done
	ms_die "no free block of six ports found in 20000-60000"
fi
MAIL_IMAP_PORT=$IMAP_PORT MAIL_IMAPS_PORT=$IMAPS_PORT MAIL_LMTP_PORT=$LMTP_PORT
MAIL_SMTP_PORT=$SMTP_PORT MAIL_SUBMISSION_PORT=$SUBMISSION_PORT MAIL_SUBMISSIONS_PORT=$SUBMISSIONS_PORT

mkdir -p "$MS_ROOT"/{etc/postfix,run,state/dovecot,log,tls,mail,public/VanThu/{cur,new,tmp},public-index,postfix/queue,postfix/data}
cat >"$MS_ROOT/ports.env" <<EOF
MAIL_IMAP_PORT=$IMAP_PORT
MAIL_IMAPS_PORT=$IMAPS_PORT
MAIL_LMTP_PORT=$LMTP_PORT
MAIL_SMTP_PORT=$SMTP_PORT
MAIL_SUBMISSION_PORT=$SUBMISSION_PORT
MAIL_SUBMISSIONS_PORT=$SUBMISSIONS_PORT
EOF

# ---- self-signed certificate (SAN localhost + 127.0.0.1), reused on restart ----
if [ ! -s "$MS_ROOT/tls/cert.pem" ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 3650 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$MS_ROOT/tls/key.pem" -out "$MS_ROOT/tls/cert.pem" 2>/dev/null
	chmod 0600 "$MS_ROOT/tls/key.pem"
	chmod 0644 "$MS_ROOT/tls/cert.pem"
fi

# ---- configs from the templates ----
subst() {
	sed -e "s#@ROOT@#$MS_ROOT#g" -e "s#@IMAP_PORT@#$IMAP_PORT#g" -e "s#@IMAPS_PORT@#$IMAPS_PORT#g" \
		-e "s#@LMTP_PORT@#$LMTP_PORT#g" -e "s#@SMTP_PORT@#$SMTP_PORT#g" \
		-e "s#@SUBMISSION_PORT@#$SUBMISSION_PORT#g" -e "s#@SUBMISSIONS_PORT@#$SUBMISSIONS_PORT#g" "$1" >"$2"
}
subst "$HERE/dovecot.conf.in" "$MS_ROOT/etc/dovecot.conf"
subst "$HERE/postfix-main.cf.in" "$MS_ROOT/etc/postfix/main.cf"
subst "$HERE/postfix-master.cf.in" "$MS_ROOT/etc/postfix/master.cf"
cp "$HERE/users" "$MS_ROOT/etc/users"
cp "$HERE/vmailbox" "$MS_ROOT/etc/postfix/vmailbox"
chmod 0644 "$MS_ROOT/etc/users" "$MS_ROOT/etc/dovecot.conf"
# Postfix refuses to read a main.cf/table younger than ~2 s: it sleeps and
# re-reads in 300 ms steps ("postfix start" took 2.2 s instead of 0.3 s).
touch -d "@$(($(date +%s) - 60))" "$MS_ROOT"/etc/postfix/{main.cf,master.cf,vmailbox}

# shared folder Shared/VanThu: clerk + manager get full rights, others none
[ -s "$MS_ROOT/public/VanThu/dovecot-acl" ] || cp "$HERE/vanthu.acl" "$MS_ROOT/public/VanThu/dovecot-acl"

# ownership (not recursive: a restart over a big seeded tree stays fast)
chown mail:mail "$MS_ROOT/mail" "$MS_ROOT/public" "$MS_ROOT"/public/VanThu{,/cur,/new,/tmp,/dovecot-acl} "$MS_ROOT/public-index"
chown postfix "$MS_ROOT/postfix/data"

# ---- start; on any failure stop what was started ----
started=0
on_exit() {
	if [ "$started" = 0 ]; then
		ms_stop "dovecot:$(ms_dovecot_pid)" "postfix:$(ms_postfix_pid)"
	fi
}
trap on_exit EXIT
T0=$(date +%s%N)
ms_start_dovecot || exit 1
ms_start_postfix || exit 1
T1=$(date +%s%N)
started=1

cat <<EOF
MAIL_ROOT=$MS_ROOT
MAIL_CA=$MS_ROOT/tls/cert.pem
DOVECOT_PID=$(ms_dovecot_pid)
POSTFIX_PID=$(ms_postfix_pid)
MAIL_IMAP_PORT=$IMAP_PORT
MAIL_IMAPS_PORT=$IMAPS_PORT
MAIL_LMTP_PORT=$LMTP_PORT
MAIL_SMTP_PORT=$SMTP_PORT
MAIL_SUBMISSION_PORT=$SUBMISSION_PORT
MAIL_SUBMISSIONS_PORT=$SUBMISSIONS_PORT
MAIL_STARTUP_SECONDS=$(awk "BEGIN { printf \"%.2f\", ($T1 - $T0) / 1e9 }")
EOF
