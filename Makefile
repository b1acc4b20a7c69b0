# Two commands set everything up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ANVIL  := node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil

# One BLAS thread: on 2 cores, threaded OpenBLAS makes scipy's small solves 10-200x slower.
export OPENBLAS_NUM_THREADS := 1

.PHONY: demo test lint bench national install clean audit campaign chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps 'siwe==4.4.0'
	$(BIN)/python -c "import siwe, starlette, uvicorn, taxii2client, playwright"
	touch $@

# Debian's Chromium for the browser tests (a browser downloaded by a tool cannot be fetched here).
CHROMIUM := /usr/bin/chromium
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get install -y -q chromium || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

chromium: $(CHROMIUM)

install: $(STAMP)

# The anvil JSON-RPC node, from npm, into this project (never installed by hand).
$(ANVIL): package.json
	npm install --no-audit --no-fund --loglevel=error
	test -x $@ && touch $@

# The main job: every incentive regime on the embedded chain (about a minute), then the report.
demo: $(STAMP)
	$(BIN)/sharing simulate --firms 6 --rounds 6 --regime all --strategy all --initial-share 0 \
		--seed 1 --report reports/demo

lint: $(STAMP)
	$(BIN)/ruff check sharing tests scripts bench
	$(BIN)/mypy sharing

test: $(STAMP) $(ANVIL) $(CHROMIUM) lint audit
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest -q

bench: $(STAMP) $(ANVIL)
	$(BIN)/python -m bench

# National scale (issue 11): 1,000 members, 100 rounds, tiered rewards with the N-firm
# equilibrium check, on a default anvil; figures national.<size>.* into bench/results.json.
# Smaller sizes for scaling: make national NATIONAL_FIRMS=200 NATIONAL_ROUNDS=20.
national: $(STAMP) $(ANVIL)
	NATIONAL_FIRMS=$(or $(NATIONAL_FIRMS),1000) NATIONAL_ROUNDS=$(or $(NATIONAL_ROUNDS),100) \
		$(BIN)/python -m bench national

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis

# ---------------------------------------------------------------- security (issue 6)
# The Vyper linter natrix (PyPI), into the venv. 0.1.9 runs the `vyper` found on PATH (the
# venv's 0.4.3), so it works offline once installed; slither 0.11 cannot parse Vyper 0.4.
NATRIX := $(BIN)/natrix
$(NATRIX): $(STAMP)
	$(BIN)/pip install -q 'natrix==0.1.9'
	test -x $@ && touch $@

# Static analysis of every contract. NTX11 (arguments must start with `_`) is a naming
# preference the project does not follow (docs/style.md); any other finding must be justified by a
# `# natrix: NTXn accepted - why` comment next to it. Findings before/after: docs/security.md.
AUDITED := contracts/AisAlliance.vy contracts/reward_math.vy contracts/testing/AttackReentrantClaimer.vy \
           contracts/PesimSettlement.vy contracts/pesim_math.vy contracts/packing.vy
audit: $(NATRIX)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tests/attacks/natrix_gate.py NTX11 $(AUDITED)

# The long state-machine campaign: random sequences of up to 50 steps for the AIS and PESIM
# machines. It runs on titanoboa (docs/stack.md; ~15x eth-tester's sequences per second) from
# its own venv, because titanoboa pulls mkdocs-material and downgrades `packaging`: it never
# enters .venv or `make test`. Default budget: CAMPAIGN_SEQUENCES per machine, at most
# CAMPAIGN_CAP_MINUTES each (about 20 minutes for both here); CAMPAIGN_MINUTES=M runs each machine
# for M minutes instead. CAMPAIGN_BACKEND=eth-tester runs it on eth-tester from .venv. Counts go
# to bench/results.json: campaign.boa.{ais,pesim}.* (boa), campaign.{ais,pesim}.* (eth-tester).
CAMPAIGN_VENV        := .venv-campaign
CAMPAIGN_STAMP       := $(CAMPAIGN_VENV)/.installed
CAMPAIGN_PINS        := 'titanoboa==0.2.8' 'vyper==0.4.3' 'hypothesis==6.170.17'
CAMPAIGN_BACKEND     ?= boa
CAMPAIGN_SEQUENCES   ?= 2000
CAMPAIGN_CAP_MINUTES ?= 15
ifeq ($(origin CAMPAIGN_MINUTES),undefined)
CAMPAIGN_BUDGET := --sequences $(CAMPAIGN_SEQUENCES) --minutes $(CAMPAIGN_CAP_MINUTES)
else
CAMPAIGN_BUDGET := --minutes $(CAMPAIGN_MINUTES)
endif
ifeq ($(CAMPAIGN_BACKEND),eth-tester)
CAMPAIGN_PYTHON := $(BIN)/python
CAMPAIGN_NEEDS  := $(STAMP)
else
CAMPAIGN_PYTHON := $(CAMPAIGN_VENV)/bin/python
CAMPAIGN_NEEDS  := $(CAMPAIGN_STAMP)
endif

# The project plus titanoboa, pinned to what works with vyper 0.4.3 (vyper checked after install).
$(CAMPAIGN_STAMP): pyproject.toml
	test -x $(CAMPAIGN_VENV)/bin/python || $(PYTHON) -m venv $(CAMPAIGN_VENV)
	$(CAMPAIGN_VENV)/bin/pip install -q --upgrade pip
	$(CAMPAIGN_VENV)/bin/pip install -q -e . $(CAMPAIGN_PINS)
	$(CAMPAIGN_VENV)/bin/python -c "from importlib.metadata import version as v; \
		assert v('vyper') == '0.4.3', 'vyper ' + v('vyper'); print('titanoboa', v('titanoboa'), 'vyper', v('vyper'))"
	touch $@

campaign: $(CAMPAIGN_NEEDS)
	$(CAMPAIGN_PYTHON) tests/stateful/campaign.py --backend $(CAMPAIGN_BACKEND) $(CAMPAIGN_BUDGET)
