# Pharos: `make run` sets up and runs one poll on the bundled config; `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libssl-dev libsqlite3-dev libxml2-dev zlib1g-dev libzstd-dev
# What the tests need besides: xmllint validates the alerts feed, Chromium loads the web page.
TEST_APT_PACKAGES := libxml2-utils chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps test-deps build release clean install

# Where `make install` puts things (DESTDIR is prepended for staging, as usual).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(if $(filter /usr/local,$(PREFIX)),/etc,$(PREFIX)/etc))
UNITDIR ?= $(if $(filter /usr /usr/local,$(PREFIX)),/etc/systemd/system,$(PREFIX)/lib/systemd/system)
# The binary to install: the one `make release` built, unless given.
PHAROS_BINARY ?= .build/release/pharos

# Installs the Debian packages given that are missing (and python3 when it is absent).
define apt_install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

## Install the system libraries Pharos builds against, if any is missing.
deps:
	$(call apt_install_missing,$(APT_PACKAGES))

## Install what the tests use (xmllint, headless Chromium), if any is missing.
test-deps:
	$(call apt_install_missing,$(TEST_APT_PACKAGES))

build: deps
	$(SWIFT) build

## One poll of every source in config/pharos.yaml, deliver, exit (alerts go to ./alerts.jsonl).
run: build
	$(SWIFT) run pharos run --once --config config/pharos.yaml

## The Python peers the tests talk to (webhook receiver with standardwebhooks, ...).
.venv/installed: Tests/peers/requirements.txt
	python3 -m venv .venv || { $(SUDO) apt-get install -y -qq python3-venv && python3 -m venv .venv; }
	.venv/bin/pip install -q -r Tests/peers/requirements.txt
	touch .venv/installed

test: deps test-deps .venv/installed
	$(SWIFT) test

## The release binary, with the Swift runtime and Foundation linked in: it runs where no
## Swift toolchain is installed, starts faster (no dynamic relocations of the Swift
## libraries) and uses less memory.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product pharos

## The binary, the systemd unit, the system config with its rules and vocabularies (never
## overwriting a config that is already there), the docs with every plugin's README, sample
## and examples. It never builds: run `make release` as yourself first, then `sudo make
## install` (or give PHAROS_BINARY).
install:
	@[ -x "$(PHAROS_BINARY)" ] || { echo "make install: no binary at $(PHAROS_BINARY): run 'make release' first (as yourself, not root), then 'sudo make install'; or give PHAROS_BINARY=" >&2; exit 1; }
	install -D -m 0755 $(PHAROS_BINARY) $(DESTDIR)$(BINDIR)/pharos
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/pharos $(DESTDIR)$(DATADIR)/doc/pharos/plugins
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/pharos/credentials
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
		systemd/pharos.service > $(DESTDIR)$(UNITDIR)/pharos.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pharos.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/pharos/pharos.yaml ] || \
		sed -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' systemd/pharos.yaml > $(DESTDIR)$(SYSCONFDIR)/pharos/pharos.yaml
	for folder in rules.d vocab; do \
		[ -e $(DESTDIR)$(SYSCONFDIR)/pharos/$$folder ] || cp -R config/$$folder $(DESTDIR)$(SYSCONFDIR)/pharos/$$folder; \
	done
	install -m 0644 README.md $(DESTDIR)$(DATADIR)/doc/pharos/README.md
	install -m 0644 docs/PRESETS.md $(DESTDIR)$(DATADIR)/doc/pharos/PRESETS.md
	for plugin in Plugins/*/; do \
		target=$(DESTDIR)$(DATADIR)/doc/pharos/plugins/$$(basename $$plugin); \
		install -d -m 0755 $$target; \
		install -m 0644 $$plugin/README.md $$plugin/sample.yaml $$target/; \
		if [ -d $$plugin/examples ]; then install -d -m 0755 $$target/examples && install -m 0644 $$plugin/examples/* $$target/examples/; fi; \
	done
	@echo "installed; then: systemctl daemon-reload && systemctl enable --now pharos"

clean:
	rm -rf .build state alerts.jsonl
