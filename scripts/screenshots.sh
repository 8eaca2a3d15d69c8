#!/usr/bin/env bash
# screenshots.sh — open the app on the demo agency under a private Xvfb and
# capture each main screen to docs/screenshots/*.png (ImageMagick import).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
disp=""
for n in $(seq 130 160); do
	if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then disp=":$n"; break; fi
done
Xvfb "$disp" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
data=$(mktemp -d)/demo
year=$(date +%Y)
# Generate the demo once; each shot then reopens it.
DISPLAY=$disp ./bin/congvu demo --data "$data" --quit-after 1s 2>/dev/null
shot() { # name lang args…
	local name=$1 lang=$2
	shift 2
	DISPLAY=$disp ./bin/congvu demo --data "$data" --lang "$lang" --quit-after 6s "$@" 2>/dev/null &
	local pid=$!
	sleep 5
	DISPLAY=$disp /usr/bin/import -window root "$out/$name.png"
	wait $pid || true
	echo "$out/$name.png"
}
shot van-ban-den vi --register "den-$year"
shot van-ban-di vi --register "di-$year"
shot tim-kiem vi --search "dat dai"
shot viec-cua-toi vi --as p-tnmt-3 --page nav.mywork
shot du-thao-cho-duyet vi --as p-chutich --page nav.drafts
shot so-van-ban vi --as p-vanthu-mat --page nav.registers
shot vao-so-loi vi --page form.register.errors
shot chi-dao vi --as p-chutich --page doc.newest
shot duyet-du-thao vi --as p-chutich --page draft.waiting
shot cap-so vi --page draft.waiting
shot incoming-en en --register "den-$year"
rm -rf "$(dirname "$data")"
