#!/usr/bin/env bash
# screenshots.sh — open the app on the demo agency under a private Xvfb and
# capture each main screen to docs/screenshots/*.png (ImageMagick import):
# every screen at 1366×768 (a common office screen), the main ones again at
# 1920×1080 (docs/screenshots/1920/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out/1920"
free_display() {
	for n in $(seq 130 160); do
		if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then echo ":$n"; return; fi
	done
}
xpid=""
start_x() { # WxH
	[ -n "$xpid" ] && kill "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null || true
	disp=$(free_display)
	Xvfb "$disp" -screen 0 "$1x24" -nolisten tcp >/dev/null 2>&1 &
	xpid=$!
	for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
}
trap '[ -n "$xpid" ] && kill $xpid 2>/dev/null || true' EXIT
tmp=$(mktemp -d)
data=$tmp/demo
export HOME=$tmp/home # fresh preferences: Vietnamese, normal text size
year=$(date +%Y)
shot() { # file lang args…
	local file=$1 lang=$2
	shift 2
	DISPLAY=$disp ./bin/congvu demo --data "$data" --lang "$lang" --quit-after 6s "$@" 2>/dev/null &
	local pid=$!
	sleep 5
	DISPLAY=$disp /usr/bin/import -window root "$out/$file.png"
	wait $pid || true
	echo "$out/$file.png"
}
start_x 1366x768
# Generate the demo once; each shot then reopens it.
DISPLAY=$disp ./bin/congvu demo --data "$data" --quit-after 1s 2>/dev/null
shot van-ban-den vi --register "den-$year"
shot van-ban-di vi --register "di-$year"
shot tim-kiem vi --search "dat dai"
shot viec-cua-toi vi --as p-tnmt-3 --page nav.mywork
shot du-thao-cho-duyet vi --as p-chutich --page nav.drafts
shot so-van-ban vi --as p-vanthu-mat --page nav.registers
shot thong-ke vi --as p-chutich --page nav.stats
shot cai-dat vi --page nav.settings
shot vao-so-loi vi --page form.register.errors
shot chi-dao vi --as p-chutich --page doc.newest
shot duyet-du-thao vi --as p-chutich --page draft.waiting
shot cap-so vi --page draft.waiting
# Hộp thư (the demo's mailbox, mail/maildemo): the folders of both accounts
# and the văn thư's INBOX; a message with attachments open in the reader; the
# attachment whose name hides .exe; the outbox with a queued and a failed message.
shot hop-thu vi --page nav.mail
shot hop-thu-doc-thu vi --page mail.open
shot hop-thu-tep-gia-mao vi --page mail.hostile
shot hop-thu-di vi --page mail.outbox
shot soan-thu vi --page mail.compose
shot tai-khoan-thu vi --page mail.account
shot incoming-en en --register "den-$year"
# Liên thông: packages from other agencies waiting for the văn thư, and one open in Vào sổ.
shot van-ban-di-lien-thong vi --page doc.outgoing
shot cho-tiep-nhan vi --page exchange.queue
shot tiep-nhan-goi-tin vi --page exchange.package
# The journal scenes write demo state (a pin, pending numbers): after the others.
shot tham-gia-co-quan vi --page journal.join
shot khoa-cong-khai vi --as p-quantri --page person.key
shot nhat-ky-dong-bo vi --page journal.page
shot so-tam vi --page journal.provisional
# The first start on an empty folder (not the demo): found the agency or join the demo.
DISPLAY=$disp ./bin/congvu --data "$tmp/empty" --quit-after 4s 2>/dev/null &
pid=$!
sleep 3
DISPLAY=$disp /usr/bin/import -window root "$out/lan-dau.png"
wait $pid || true
echo "$out/lan-dau.png"
# Joining from an empty workstation: the mailbox, then waiting for the
# administrator to add the newcomer (scenes of ui.Setup.OpenScene).
for scene in setup.join:tham-gia-hop-thu setup.join.waiting:tham-gia-cho-quan-tri; do
	DISPLAY=$disp ./bin/congvu --data "$tmp/empty-${scene%%:*}" --page "${scene%%:*}" --quit-after 4s 2>/dev/null &
	pid=$!
	sleep 3
	DISPLAY=$disp /usr/bin/import -window root "$out/${scene##*:}.png"
	wait $pid || true
	echo "$out/${scene##*:}.png"
done
# The printed incoming register (Decree 30 Phụ lục IV): its cover and a page.
go run ./cmd/congvu-bench -only print -print-rows 300 -print-out "$tmp/so-den.pdf" >/dev/null 2>&1
pdftoppm -r 80 -png -f 1 -l 2 "$tmp/so-den.pdf" "$tmp/so-den"
cp "$tmp"/so-den-*1.png "$out/so-den-in-bia.png"
cp "$tmp"/so-den-*2.png "$out/so-den-in-trang.png"
echo "$out/so-den-in-bia.png $out/so-den-in-trang.png"
start_x 1920x1080
shot 1920/van-ban-den vi --register "den-$year" --size 1920x1080
shot 1920/thong-ke vi --as p-chutich --page nav.stats --size 1920x1080
shot 1920/chi-dao vi --as p-chutich --page doc.newest --size 1920x1080
shot 1920/hop-thu vi --page nav.mail --size 1920x1080
shot 1920/hop-thu-doc-thu vi --page mail.open --size 1920x1080
rm -rf "$tmp"
