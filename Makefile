.PHONY: setup demo test bench
SHELL := /bin/bash

.venv/.ready: pyproject.toml uv.lock package-lock.json scripts/setup.sh
	scripts/setup.sh
	touch $@

setup: .venv/.ready

demo: setup
	.venv/bin/ratsblick demo

test: setup
	scripts/test.sh

bench: setup
	.venv/bin/python bench/search.py
	.venv/bin/python bench/sync.py
	.venv/bin/python bench/extract.py
	.venv/bin/python bench/web.py
	.venv/bin/python bench/api.py
	.venv/bin/python bench/dumps.py
	.venv/bin/python bench/history.py
	.venv/bin/python bench/workers.py
