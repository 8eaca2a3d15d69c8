#!/usr/bin/env bash
# deps.sh PKG... — make sure these Debian packages are installed.
# As root: installs what is missing with apt-get. Otherwise: prints the
# exact commands to run and fails, changing nothing.
#
# The mail servers the tests run (dovecot-*, postfix) are installed without
# starting the system-wide daemons: without systemd (containers, CI) their
# postinst would start them on *:25/143/993. A /usr/sbin/policy-rc.d that
# exits 101 forbids that during the install (created only when missing, and
# removed again afterwards), and Postfix is preseeded to "No configuration"
# so its installer asks nothing.
set -euo pipefail
missing=()
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

daemons=0 postfix=0
for p in "${missing[@]}"; do
	case $p in
	postfix) daemons=1 postfix=1 ;;
	dovecot-*) daemons=1 ;;
	esac
done

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "Công vụ cần các gói sau / needs these packages: ${missing[*]}" >&2
	echo "Hãy chạy / please run:" >&2
	if [ $daemons = 1 ]; then
		echo "  [ -e /usr/sbin/policy-rc.d ] || printf '#!/bin/sh\\nexit 101\\n' | sudo tee /usr/sbin/policy-rc.d >/dev/null && sudo chmod +x /usr/sbin/policy-rc.d   # containers without systemd only" >&2
	fi
	if [ $postfix = 1 ]; then
		echo "  echo 'postfix postfix/main_mailer_type select No configuration' | sudo debconf-set-selections" >&2
	fi
	echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive $line" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
made_policy=0
if [ $daemons = 1 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# deps.sh (Công vụ): no daemon starts during this install\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	made_policy=1
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
if [ $postfix = 1 ]; then
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ $made_policy = 1 ]; then
	rm -f /usr/sbin/policy-rc.d
	trap - EXIT
fi
