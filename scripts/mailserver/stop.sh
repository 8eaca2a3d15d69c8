#!/usr/bin/env bash
# stop.sh STATE_DIR [--purge] — stops the Dovecot and Postfix that start.sh
# STATE_DIR started, by the PIDs recorded in STATE_DIR only: SIGTERM to both
# masters in parallel (each stops its own children), SIGKILL to what is left
# after 10 s. Works when one or both are already dead. --purge also deletes
# STATE_DIR. Takes ~2.5 s (Dovecot's master sleeps while its log process
# ends). Adapted from the recipe /work/shared/recipes/mail-loopback/stop-mail.sh.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
MS_ROOT=$(cd "${1:?usage: stop.sh STATE_DIR [--purge]}" 2>/dev/null && pwd -P) || ms_die "no such dir $1"

ms_stop "dovecot:$(ms_dovecot_pid)" "postfix:$(ms_postfix_pid)"
rm -f "$MS_ROOT/run/dovecot.pid"
if [ "${2:-}" = --purge ]; then
	rm -rf "$MS_ROOT"
	echo "mailserver: removed $MS_ROOT" >&2
fi
exit 0
