# lib.sh — shell functions shared by start.sh, stop.sh, dovecot.sh and
# postfix.sh (sourced, not run). Everything works on one state directory
# ($MS_ROOT) and only on the processes whose PIDs it recorded there: nothing
# is ever stopped by name.
#
# Adapted from the verified recipe /work/shared/recipes/mail-loopback
# (start-mail.sh, stop-mail.sh): see its README for the pitfalls these
# functions work around (postfix's young-file wait, maillog_file_prefixes,
# dovecot's base_dir/state_dir, the 0700 mktemp dir).

ms_die() { echo "mailserver: $*" >&2; exit 1; }

# ms_load_ports: reads the six ports start.sh chose from $MS_ROOT/ports.env.
ms_load_ports() {
	[ -s "$MS_ROOT/ports.env" ] || ms_die "$MS_ROOT/ports.env missing: was start.sh run on $MS_ROOT?"
	# shellcheck disable=SC1091
	. "$MS_ROOT/ports.env"
}

# ms_port_used PORT: true if any TCP socket (any state, IPv4 or IPv6) of
# this network namespace has PORT as its local port. Reads /proc, so it
# needs neither ss nor netstat, and opens no connection.
ms_port_used() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h="$hex" 'FNR > 1 { n = split($2, a, ":"); if (a[n] == h) { f = 1; exit } } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# ms_port_listening PORT: true if a socket listens on 127.0.0.1:PORT (or any
# address) — state 0A in /proc/net/tcp.
ms_port_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h="$hex" 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); if (a[n] == h) { f = 1; exit } } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# ms_alive PID: the process exists and is not a zombie (a killed master whose
# parent has gone is reparented to init, which may reap it only later).
ms_alive() {
	local line
	[ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
	line=${line##*) }
	[ "${line%% *}" != Z ]
}

# ms_descendants PID: every process below PID (children, grandchildren, …),
# found through /proc/*/stat (no procps needed).
ms_descendants() {
	local f line rest pid ppid p c
	local -A kids=()
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		rest=${line##*) }   # "S PPID PGRP ..." (the command name may hold spaces)
		ppid=${rest#* }
		ppid=${ppid%% *}
		pid=${f#/proc/}
		kids[$ppid]+="${pid%/stat} "
	done
	local queue=("$1")
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		for c in ${kids[$p]:-}; do
			echo "$c"
			queue+=("$c")
		done
	done
}

ms_dovecot_pid() { cat "$MS_ROOT/run/dovecot/master.pid" 2>/dev/null || cat "$MS_ROOT/run/dovecot.pid" 2>/dev/null || true; }
ms_postfix_pid() { tr -d ' \n' 2>/dev/null <"$MS_ROOT/postfix/queue/pid/master.pid" || true; }

# ms_wait_ports NAME PID PORT...: waits (≤ 10 s) until every PORT listens;
# fails early when the master PID dies.
ms_wait_ports() {
	local name=$1 pid=$2 p i
	shift 2
	for p in "$@"; do
		for i in $(seq 1 200); do
			ms_port_listening "$p" && continue 2
			if [ -n "$pid" ] && ! ms_alive "$pid"; then
				echo "mailserver: $name died while starting, see $MS_ROOT/log/:" >&2
				tail -n 5 "$MS_ROOT"/log/"$name"* >&2 2>/dev/null || true
				return 1
			fi
			sleep 0.05
		done
		echo "mailserver: $name: port $p did not open within 10 s" >&2
		return 1
	done
}

# ms_wait_ports_free PORT...: waits (≤ 10 s) until no process listens on
# any PORT (the previous instance's children may still be exiting).
ms_wait_ports_free() {
	local p i
	for p in "$@"; do
		for i in $(seq 1 200); do
			ms_port_listening "$p" || continue 2
			sleep 0.05
		done
		echo "mailserver: port $p is still in use after 10 s" >&2
		return 1
	done
}

# ms_stop NAME:PID...: SIGTERM to each master (which stops its own children),
# wait up to 10 s, then SIGKILL whatever is left of it and its children.
# Masters already dead are skipped quietly. All are stopped in parallel.
ms_stop() {
	local spec name pid i alive
	local -A names=() trees=()
	for spec in "$@"; do
		name=${spec%%:*}
		pid=${spec#*:}
		ms_alive "$pid" || continue
		names[$pid]=$name
		trees[$pid]="$(ms_descendants "$pid" | tr '\n' ' ')"
		kill -TERM "$pid" 2>/dev/null || true
	done
	[ ${#names[@]} -eq 0 ] && return 0
	for i in $(seq 1 200); do
		alive=0
		for pid in "${!names[@]}"; do ms_alive "$pid" && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.05
	done
	for pid in "${!names[@]}"; do
		if ms_alive "$pid"; then
			echo "mailserver: ${names[$pid]} still alive after 10 s, SIGKILL $pid" >&2
			# shellcheck disable=SC2086
			kill -KILL "$pid" ${trees[$pid]} 2>/dev/null || true
		else
			echo "mailserver: ${names[$pid]} stopped (pid $pid)" >&2
		fi
	done
}

# ms_kill NAME PID: SIGKILL the master and all its children at once (a crash).
ms_kill() {
	local name=$1 pid=$2 kids i
	ms_alive "$pid" || { echo "mailserver: $name not running" >&2; return 0; }
	kids=$(ms_descendants "$pid" | tr '\n' ' ')
	# shellcheck disable=SC2086
	kill -KILL "$pid" $kids 2>/dev/null || true
	for i in $(seq 1 200); do
		ms_alive "$pid" || break
		sleep 0.05
	done
	echo "mailserver: $name killed (pid $pid and ${kids:-no children})" >&2
}

# ms_start_dovecot: starts Dovecot in the foreground mode (-F: no fork, so
# $! is the master) in the background, waits for its three ports.
ms_start_dovecot() {
	local pid
	pid=$(ms_dovecot_pid)
	if ms_alive "$pid"; then ms_die "dovecot already running in $MS_ROOT (pid $pid)"; fi
	ms_wait_ports_free "$MAIL_IMAP_PORT" "$MAIL_IMAPS_PORT" "$MAIL_LMTP_PORT" || return 1
	rm -f "$MS_ROOT/run/dovecot/master.pid"
	dovecot -c "$MS_ROOT/etc/dovecot.conf" -F </dev/null >>"$MS_ROOT/log/dovecot.stdout" 2>&1 &
	pid=$!
	echo "$pid" >"$MS_ROOT/run/dovecot.pid"
	ms_wait_ports dovecot "$pid" "$MAIL_IMAP_PORT" "$MAIL_IMAPS_PORT" "$MAIL_LMTP_PORT" || return 1
	# The LMTP and auth sockets Postfix uses exist once the ports listen.
	[ -s "$MS_ROOT/run/dovecot/master.pid" ] && cp "$MS_ROOT/run/dovecot/master.pid" "$MS_ROOT/run/dovecot.pid"
	return 0
}

# ms_start_postfix: "postfix start" checks the configuration, then its
# master daemonises; its pid is in queue/pid/master.pid.
ms_start_postfix() {
	local pid
	pid=$(ms_postfix_pid)
	if ms_alive "$pid"; then ms_die "postfix already running in $MS_ROOT (pid $pid)"; fi
	ms_wait_ports_free "$MAIL_SMTP_PORT" "$MAIL_SUBMISSION_PORT" "$MAIL_SUBMISSIONS_PORT" || return 1
	if ! postfix -c "$MS_ROOT/etc/postfix" start >>"$MS_ROOT/log/postfix.stdout" 2>&1; then
		echo "mailserver: postfix failed to start, see $MS_ROOT/log/postfix.log" >&2
		tail -n 5 "$MS_ROOT/log/postfix.log" "$MS_ROOT/log/postfix.stdout" >&2 2>/dev/null || true
		return 1
	fi
	pid=$(ms_postfix_pid)
	ms_wait_ports postfix "$pid" "$MAIL_SMTP_PORT" "$MAIL_SUBMISSION_PORT" "$MAIL_SUBMISSIONS_PORT"
}

# ms_service_cmd NAME ACTION: the body of dovecot.sh and postfix.sh.
ms_service_cmd() {
	local name=$1 action=$2 pid
	ms_load_ports
	if [ "$name" = dovecot ]; then pid=$(ms_dovecot_pid); else pid=$(ms_postfix_pid); fi
	case $action in
	start) "ms_start_$name" && echo "mailserver: $name started (pid $(ms_"${name}"_pid))" >&2 ;;
	stop) ms_stop "$name:$pid" ;;
	kill) ms_kill "$name" "$pid" ;;
	pid) if ms_alive "$pid"; then echo "$pid"; else return 1; fi ;;
	*) ms_die "unknown action $action (start|stop|kill|pid)" ;;
	esac
}
