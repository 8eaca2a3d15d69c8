#!/usr/bin/env bash
# dovecot.sh STATE_DIR start|stop|kill|pid — Dovecot alone, for fault tests
# (mail/mailtest: Env.StopDovecot, StartDovecot, KillDovecot), on the ports
# start.sh chose for STATE_DIR (ports.env).
#   stop   SIGTERM to the master, SIGKILL after 10 s (clients see a BYE)
#   start  start it again and wait until its IMAP, IMAPS and LMTP ports listen
#   kill   SIGKILL the master and all its children at once (a crash: clients
#          see the connection drop without a BYE)
#   pid    print the master's pid (exit 1 when not running)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
export PATH=$PATH:/usr/sbin:/sbin
MS_ROOT=$(cd "${1:?usage: dovecot.sh STATE_DIR start|stop|kill|pid}" && pwd -P)
ms_service_cmd dovecot "${2:?usage: dovecot.sh STATE_DIR start|stop|kill|pid}"
