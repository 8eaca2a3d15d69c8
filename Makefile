# Công vụ — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
GO ?= go

# Verified minimal set for building Fyne 2.7 (cgo, GL, X11).
APT_BUILD := gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
APT_X     := xvfb xauth
APT_SHOTS := imagemagick
# Real mail servers for the mail tests (scripts/mailserver) and a Secret
# Service for the keyring tests (gnome-keyring on a private D-Bus session).
APT_MAIL  := dovecot-imapd dovecot-lmtpd postfix openssl ca-certificates dbus dbus-x11 gnome-keyring
# pdftotext checks the printed registers' columns; pdftoppm renders them.
APT_PDF   := poppler-utils

.PHONY: run demo test bench screenshots build deps-build deps-test clean linux-package windows

build: deps-build
	$(GO) build -o bin/congvu .

## make run: build and open Công vụ on your data folder
run: build
	./bin/congvu

## make demo: open it on a generated demo agency (a new temporary folder)
demo: build
	./bin/congvu demo

## make test: install what the tests need, build, smoke-test the window,
## start a private Dovecot + Postfix and gnome-keyring, go test -race ./...
test: deps-test
	./scripts/test.sh

## make bench: the benchmark table of docs/BENCHMARKS.md (its window part
## builds congvu and starts it, Thunderbird and Evolution under Xvfb)
bench:
	@./scripts/deps.sh notmuch time $(APT_BUILD) $(APT_X) $(APT_MAIL) isync dbus thunderbird evolution
	$(GO) run ./cmd/congvu-bench

## make screenshots: render the main screens under Xvfb to docs/screenshots
screenshots: build
	@./scripts/deps.sh $(APT_X) $(APT_SHOTS) $(APT_PDF)
	./scripts/screenshots.sh

## make linux-package: dist/congvu_VERSION_ARCH.deb (program, menu entry, icon)
linux-package: build
	./scripts/linux-package.sh dist

## make windows: dist/congvu.exe (cross-compiled with mingw-w64, cgo for the
## window; the first build takes ~7 minutes, then seconds) and
## dist/congvu-VERSION.msi, both signed (scripts/windows/build.sh)
windows:
	@./scripts/deps.sh gcc-mingw-w64-x86-64 msitools wixl osslsigncode openssl
	./scripts/windows/build.sh dist

deps-build:
	@./scripts/deps.sh $(APT_BUILD)

deps-test:
	@./scripts/deps.sh $(APT_BUILD) $(APT_X) $(APT_MAIL) $(APT_PDF)

clean:
	rm -rf bin dist
