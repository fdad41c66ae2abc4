# Two commands do all the set-up on a fresh clone: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install bytecode serve test test-fast lint validate docs bench compare conformance prism-harness sweep clean redis-server chromium

install: $(STAMP)

# Re-create the venv when it is missing, built by another Python, or older than the pins.
$(STAMP): pyproject.toml constraints.txt
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		echo "venv is not Python 3.11: re-creating"; rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# The package byte-compiled, as pip does when it installs a wheel: an editable install never
# is where PYTHONDONTWRITEBYTECODE is set, and every worker then compiled ~90 modules from
# source at start-up. Only modules changed since the last run are compiled again.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q mockserver

serve: $(STAMP) bytecode
	$(BIN)/mockserver serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's chromium (Playwright's own browser downloads are not used).
CHROMIUM ?= /usr/bin/chromium
chromium:
	@[ -x $(CHROMIUM) ] || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
		else echo "make test: the browser tests need the Debian package chromium (apt-get install chromium)"; exit 1; fi; }

# The Redis store's tests run a real redis-server (the Debian package of that name).
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get install -y -qq redis-server >/dev/null 2>&1 || \
			{ apt-get update -qq && apt-get install -y -qq redis-server; }; \
		else echo "make test needs redis-server: install the Debian package redis-server"; exit 1; fi; }

# pytest exits 5 when it collects nothing: that is a failure of the suite, say so plainly.
test: $(STAMP) bytecode redis-server chromium
	@$(BIN)/python -m pytest -p no:cacheprovider -n auto --dist loadgroup; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

# The inner loop (under a minute): every test but the tiers that need a browser, Redis, a
# server in a subprocess, Schemathesis, or long runs (markers declared in pyproject.toml).
FAST := not (browser or redis or subprocess or schemathesis or slow)
test-fast: $(STAMP) bytecode
	@$(BIN)/python -m pytest -p no:cacheprovider -n auto --dist loadgroup -m "$(FAST)"; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check mockserver tests
	$(BIN)/ruff format --check mockserver tests
	$(BIN)/mypy
	$(BIN)/lint-imports

validate: $(STAMP)
	$(BIN)/mockserver validate specs fixtures

# The documentation site (docs/, mkdocs.yml) into build/site; a warning fails the build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

bench: $(STAMP) bytecode redis-server
	$(BIN)/python -m bench
	$(BIN)/python -m bench.journal
	$(BIN)/python -m bench.proxy
	$(BIN)/python -m bench.startup --rounds 3

# Not part of `make test`: APIs.guru's real-world documents served by mockserver and by
# Prism, judged by Schemathesis; writes bench/conformance.md. SAMPLE=0: every document.
SAMPLE ?= 100
SEED   ?= 1
conformance: $(STAMP) bytecode prism-harness
	$(BIN)/python -m bench.conformance --sample $(SAMPLE) --seed $(SEED)

# Not part of `make test`: Stoplight Prism's own test-harness cases (bench/prism-harness/cases)
# run against `mockserver serve`, one subprocess per case; writes bench/prism-harness.md.
prism-harness: $(STAMP) bytecode
	$(BIN)/python -m bench.prism_harness

# Not part of `make test`: every document of the directory (2,639) in process: validate,
# start, Schemathesis' positive checks over ASGI; writes bench/sweep.md (about 50 min).
sweep: $(STAMP)
	$(BIN)/python -m bench.sweep

# Not part of `make test`: installs Spectral and Redocly from npm into bench/.tools/, runs them,
# openapi-spec-validator and validate over tests/validate/broken and tests/data/official, then
# diff beside oasdiff; writes bench/validate-compare.md and bench/diff-compare.md. About 12 min
# (11 min 37 s on 2 cores shared at a load average of 6; the suites are judged two documents
# at a time). A 30 s deadline per document and tool (a hang is reported as a timeout, a tool
# that cannot be installed as "not installed"), so no tool can stop it.
compare: $(STAMP)
	$(BIN)/python -m bench.compare

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
