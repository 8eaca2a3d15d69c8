#!/usr/bin/env bash
# postfix.sh STATE_DIR start|stop|kill|pid — Postfix alone, for fault tests
# (mail/mailtest: Env.StopPostfix, StartPostfix, KillPostfix), on the ports
# start.sh chose for STATE_DIR (ports.env).
#   stop   SIGTERM to the master, SIGKILL after 10 s (clients see a 421)
#   start  start it again and wait until its SMTP, submission and submissions ports listen
#   kill   SIGKILL the master and all its children at once (a crash: clients
#          see the connection drop without a reply)
#   pid    print the master's pid (exit 1 when not running)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
export PATH=$PATH:/usr/sbin:/sbin
MS_ROOT=$(cd "${1:?usage: postfix.sh STATE_DIR start|stop|kill|pid}" && pwd -P)
ms_service_cmd postfix "${2:?usage: postfix.sh STATE_DIR start|stop|kill|pid}"
