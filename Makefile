.PHONY: serve test ci bench lint
serve: ; scripts/serve
test: ; scripts/test
ci: ; .ci/run
lint: ; .venv/bin/ruff check . && .venv/bin/ruff format --check storefront tests
bench: ; .venv/bin/python bench/run.py
