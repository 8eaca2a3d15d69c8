#!/usr/bin/env bash
# linux-package.sh OUT_DIR — build the Debian package of Công vụ from
# bin/congvu (make build): the program in /usr/bin, a desktop entry and
# its icon (the menu finds it), the licences in /usr/share/doc. The
# package depends on the libraries the Fyne window loads; everything else
# is in the static Go binary. Prints the .deb's path.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
mkdir -p "$out"
version=$(./bin/congvu version | awk '{print $2}')
arch=$(dpkg --print-architecture)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

install -D -m 0755 bin/congvu "$root/usr/bin/congvu"
install -D -m 0644 assets/icon.png "$root/usr/share/icons/hicolor/256x256/apps/vn.gov.congvu.png"
install -d "$root/usr/share/applications"
cat > "$root/usr/share/applications/vn.gov.congvu.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Công vụ
GenericName=Văn bản, hồ sơ công vụ và hộp thư
GenericName[en]=Official documents and mail
Comment=Sổ văn bản đến, đi, quy trình xử lý và hộp thư công vụ
Comment[en]=Registers of incoming and outgoing documents, approval workflow and official mail
Exec=congvu
Icon=vn.gov.congvu
Terminal=false
Categories=Office;Email;
Keywords=văn bản;công văn;văn thư;hộp thư;edXML;
StartupWMClass=congvu
DESKTOP
install -d "$root/usr/share/doc/congvu"
cat > "$root/usr/share/doc/congvu/copyright" <<COPY
Công vụ ${version}

Fonts embedded for the printed registers: Liberation Serif 2.1.5,
SIL Open Font License 1.1 (below).

COPY
cat assets/fonts/OFL.txt >> "$root/usr/share/doc/congvu/copyright"
install -d "$root/DEBIAN"
size=$(du -sk "$root/usr" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: congvu
Version: ${version}
Architecture: ${arch}
Maintainer: Công vụ <congvu@localhost>
Installed-Size: ${size}
Depends: libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1
Section: misc
Priority: optional
Description: Công vụ — văn bản, quy trình xử lý và hộp thư công vụ
 Desktop client for Vietnamese civil servants: incoming and outgoing
 document registers as Decree 30/2020 prescribes, the approval workflow,
 official mail with an offline cache, and document exchange (edXML)
 between agencies. Works offline on a local SQLite database.
CONTROL
deb="$out/congvu_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
