#!/usr/bin/env bash
# windows/build.sh OUT_DIR — the Windows build, from this Linux machine:
#   congvu.exe   cross-compiled with mingw-w64 (cgo for the window), with its
#                icon and version details, signed;
#   congvu.msi   the installer (wixl): Program Files\CongVu, a Start-menu
#                shortcut; per-user data stays in %AppData%\congvu and is
#                kept on uninstall; signed.
# Signing uses the agency's certificate when SIGN_CERTS (PEM chain) and
# SIGN_KEY are set, else a test certificate made here (OUT_DIR/test-ca.crt
# verifies it: `osslsigncode verify -CAfile test-ca.crt -in …`).
# Needs: gcc-mingw-w64-x86-64 msitools wixl osslsigncode openssl.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-dist}
mkdir -p "$out"
version=$(grep -m1 '^Version' FyneApp.toml | cut -d'"' -f2)
exe="$out/congvu.exe"
# Fyne's packaging tool embeds the icon, the version details and the
# manifest (a .rsrc section); it rewrites FyneApp.toml's build number on
# every run, so the file is put back afterwards.
go install fyne.io/tools/cmd/fyne@v1.7.4
fyne=$(go env GOPATH)/bin/fyne
cp FyneApp.toml "$out/FyneApp.toml.keep"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc "$fyne" package -os windows --release
mv "$out/FyneApp.toml.keep" FyneApp.toml
mv "Công vụ.exe" "$exe.unsigned"

certs=${SIGN_CERTS:-} key=${SIGN_KEY:-}
if [ -z "$certs" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$out/test-ca.crt" -days 30 \
		-subj "/CN=Cong vu test CA" -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$tmp/sign.key" -out "$tmp/sign.csr" -subj "/CN=Cong vu test signing/O=Cong vu" 2>/dev/null
	printf 'extendedKeyUsage=codeSigning\nkeyUsage=digitalSignature\n' > "$tmp/ext.cnf"
	openssl x509 -req -in "$tmp/sign.csr" -CA "$out/test-ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -out "$tmp/sign.crt" \
		-days 30 -extfile "$tmp/ext.cnf" 2>/dev/null
	cat "$tmp/sign.crt" "$out/test-ca.crt" > "$tmp/chain.pem"
	certs="$tmp/chain.pem" key="$tmp/sign.key"
fi
sign() { osslsigncode sign -certs "$certs" -key "$key" -h sha256 -n "Công vụ" -in "$1" -out "$2" >/dev/null; }
sign "$exe.unsigned" "$exe"
rm -f "$exe.unsigned"

# wixl writes the Vietnamese names in code page 1258 (WINDOWS_LANGUAGE=vi);
# the database's code page is then forced to 1258 so Windows reads them so.
# (wixl finds sources relative to where it runs.)
cp scripts/windows/congvu.wxs "$out/congvu.wxs"
(cd "$out" && WINDOWS_LANGUAGE=vi wixl -a x64 -D Version="$version" -D Exe=congvu.exe -o congvu.unsigned.msi congvu.wxs 2>/dev/null)
printf '\r\n\r\n1258\t_ForceCodepage\r\n' > "$out/_ForceCodepage.idt"
(cd "$out" && msibuild congvu.unsigned.msi -i _ForceCodepage.idt)
rm -f "$out/_ForceCodepage.idt" "$out/congvu.wxs" "$out/test-ca.srl"
sign "$out/congvu.unsigned.msi" "$out/congvu-$version.msi"
rm -f "$out/congvu.unsigned.msi"
echo "$exe"
echo "$out/congvu-$version.msi"
