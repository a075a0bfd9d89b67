# The two commands that matter: `make run` (the kiosk in demo mode) and `make test`.
# Both set up what they need on a fresh Debian 12 machine: Debian packages (with apt-get
# when root, otherwise the exact sudo line to run), the virtual environment, the catalogs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Fonts with Mandarin glyphs (Hanazono and BabelStone Han for the rare characters of CJK
# Extensions B to H in names, and Unihan, whose radicals and strokes the character finder
# narrows by); the system libraries Qt's wheels draw on, with those of its X11 (xcb)
# platform plugin; and Xvfb, the X server the real-window tests run on, with xdotool,
# which taps there as a finger would (through the X server).
DEB_PACKAGES_SHELL := fonts-noto-cjk fonts-hanazono fonts-babelstone-han unicode-data \
	libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 \
	libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 xvfb xdotool
# The hub's production database, which the tests run against too.
DEB_PACKAGES_HUB := postgresql openssl
# The room's devices: speech, sound (PortAudio over a PulseAudio null sink) and printing.
DEB_PACKAGES_DEVICES := espeak-ng libportaudio2 libsndfile1 pulseaudio pulseaudio-utils \
	libasound2-plugins cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils
# Packaging's checks: systemd-analyze (verify, security), shellcheck, the kiosk session's
# compositor and the hub's nginx and coturn (their configurations are tried), debootstrap.
DEB_PACKAGES_PACKAGING := systemd shellcheck cage nginx-light coturn debootstrap
# The mediator console's browser, which the call's end-to-end test and benchmark drive, and
# the SFU the call's media go through (Janus's VideoRoom; janus-tools turns its recordings
# into files a browser plays).
DEB_PACKAGES_CALL := chromium janus janus-tools
DEB_PACKAGES := $(DEB_PACKAGES_SHELL) $(DEB_PACKAGES_HUB) $(DEB_PACKAGES_DEVICES) \
	$(DEB_PACKAGES_PACKAGING) $(DEB_PACKAGES_CALL)

# Services the tests use: each script in tools/services starts one (idempotent) and prints
# `NAME=value` lines that the test run exports.
SERVICE_ENV := .services.env

.PHONY: run test lint bench catalogs services system-packages clean test-slow

run: $(VENV)/.stamp-installed
	$(BIN)/mediation-kiosk run --demo

# Three workers on the two cores: the suite mostly waits (on browsers, hubs, calls, the
# printer), so a third keeps the cores busy (measured: 524 s against 586 s with two).
test: $(VENV)/.stamp-installed services
	$(BIN)/python tools/catalogs.py check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/pytest -n 3 --dist loadgroup

# The tests left out of `make test`: install-kiosk.sh run in a throw-away Debian 12 root
# made with debootstrap (needs root and the Debian and PyPI registries; several minutes).
test-slow: $(VENV)/.stamp-installed services
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/pytest -m install

# Start what the tests talk to (PostgreSQL, sound, printing) and record how to reach it.
services: $(VENV)/.stamp-installed
	@: > $(SERVICE_ENV)
	@for s in tools/services/*.sh; do sh "$$s" >> $(SERVICE_ENV) || exit 1; done

lint: $(VENV)/.stamp-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.stamp-installed services
	$(BIN)/python bench/startup.py
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/python bench/voice.py
	$(BIN)/python bench/camera.py
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/python bench/receipt.py
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/python bench/fleet.py --db "$$HUB_TEST_PG"
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/python bench/submit.py
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/python bench/call.py
	set -a && . ./$(SERVICE_ENV) && set +a && $(BIN)/python bench/studio.py

# Re-extract the texts from the code and merge them into each language's catalog.
catalogs: $(VENV)/.stamp-installed
	$(BIN)/python tools/catalogs.py update

system-packages:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
			|| missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages:$$missing"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -q --no-install-recommends $$missing; \
		else \
			echo "These Debian packages are missing. Install them, then run make again:"; \
			echo "  sudo apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-installed: pyproject.toml | $(VENV)/bin/python
	$(MAKE) system-packages
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
	find assets/locale -name '*.mo' -delete
