# `make run` and `make test` each work on a fresh machine by themselves.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: run test install ingest evals bench chromium services clean

run: $(STAMP)
	$(PY) app.py $(ARGS)

test: $(STAMP) chromium services
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(STAMP)

# torch first, pinned: 2.13.0 is a CPU build on disk; anything else pulls GB of CUDA packages.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

ingest: $(STAMP)
	$(PY) ingest.py

evals: $(STAMP)
	$(PY) -m evals

bench: $(STAMP)
	$(PY) -m benchmarks

# Browser tests drive Debian's Chromium; never `playwright install` (it downloads a browser).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The scale-out tests start real PostgreSQL and nginx servers from Debian's packages, as a replicated
# deployment runs them (RUNLEVEL=1: the packages' own services are not started).
services:
	@{ ls /usr/lib/postgresql/*/bin/initdb && test -x /usr/sbin/nginx; } >/dev/null 2>&1 || { apt-get update -qq && \
	  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx >/dev/null; }

clean:
	rm -rf $(VENV) .data
