# Pharos: `make run` sets up and runs one poll on the bundled config; `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libxml2-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build release clean vocabulary

## Install the system libraries Pharos builds against, if any is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

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

test: deps .venv/installed
	$(SWIFT) test

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build state alerts.jsonl

## Re-embed Sources/PharosMatching/Vocabulary/*.yaml after editing them.
vocabulary:
	scripts/embed-vocabulary
