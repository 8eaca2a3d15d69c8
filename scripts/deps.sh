#!/usr/bin/env bash
# deps.sh PKG... — make sure these Debian packages are installed.
# As root: installs what is missing with apt-get. Otherwise: prints the
# exact command to run and fails, changing nothing.
set -euo pipefail
missing=()
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "Công vụ cần các gói sau / needs these packages: ${missing[*]}" >&2
	echo "Hãy chạy / please run:" >&2
	echo "  sudo apt-get update && sudo $line" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
