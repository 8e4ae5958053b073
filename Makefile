# Paydrop: `make dev` runs the whole stack locally, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3.11
STAGE ?= dev
# Where `make package` writes sam.json + deployment.zip (tests package into a temporary dir).
PACKAGE_DIR ?= build/package/$(STAGE)
STAMP := $(VENV)/.installed
# axe-core for tests/e2e/axe.py (its sha256 is the registry tarball's; bump both together).
AXE_VERSION := 4.14.1
AXE_SHA256 := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
AXE := build/vendor/axe-core-$(AXE_VERSION).min.js

.PHONY: dev test lint typecheck package deploy owner bench clean browser e2e tick axe

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

## dev: create .venv, install, start moto + resources + demo data + app (:8000) + event pump
dev: $(STAMP)
	@# Two malloc arenas: with one per request thread, glibc's arenas fragment and RSS creeps (bench/dev_soak.py).
	MALLOC_ARENA_MAX=2 PYTHONUNBUFFERED=1 $(PY) -m devstack

## tick: run the scheduler (reminders, access expiry) once against the running `make dev` stack; AT=2030-01-31T10:00:00Z runs it as of then; DIGESTS=now only sends pending notification digests at once
tick: $(STAMP)
	$(PY) -m devstack.tick $(if $(AT),--at $(AT)) $(if $(DIGESTS),--digests-now)

## test: create .venv, install, lint, type-check, run every test (unit, integration, packaging, browser)
test: $(STAMP) lint typecheck browser axe
	$(PY) -m pytest

## browser: Debian's Chromium for the end-to-end tests (Playwright drives /usr/bin/chromium)
browser:
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

## e2e: only the browser journeys (tests/e2e), against a `make dev` stack they start
e2e: $(STAMP) browser axe
	$(PY) -m pytest tests/e2e -m slow

## axe: axe-core (pinned, from the npm registry, checksum-verified) for the browser tests' accessibility checks
axe: $(AXE)

$(AXE):
	@mkdir -p $(dir $(AXE))
	curl -sSfL --retry 3 -o $(AXE).tgz https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz
	echo "$(AXE_SHA256)  $(AXE).tgz" | sha256sum -c --quiet
	tar -xzOf $(AXE).tgz package/axe.min.js > $(AXE).part && mv $(AXE).part $(AXE)
	@rm -f $(AXE).tgz

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

## package: chalice package merged with infra/resources.json, then cfn-lint on the result
package: $(STAMP)
	rm -rf $(PACKAGE_DIR)
	@# chalice refuses to package without a region; the template itself is region-agnostic.
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-$${AWS_REGION:-us-east-1}} \
	  $(VENV)/bin/chalice package --stage $(STAGE) --merge-template infra/resources.json $(PACKAGE_DIR)
	@# Lambda's runtime botocore instead of a bundled copy, and bytecode for a read-only /var/task.
	$(PY) infra/postpackage.py $(PACKAGE_DIR)/deployment.zip $(POSTPACKAGE_FLAGS)
	$(VENV)/bin/cfn-lint $(PACKAGE_DIR)/sam.json

## deploy: package and deploy STAGE to the AWS account in your credentials (see infra/README.md):
##   make deploy STAGE=prod MAIL_DOMAIN=mail.example.com ALARM_EMAIL=ops@example.com [MAIL_FROM=… LOG_RETENTION_DAYS=…
##   CUSTOM_DOMAIN=… CUSTOM_DOMAIN_CERT_ARN=… PAYDROP_ARTIFACTS_BUCKET=…] (make passes them to deploy.sh's environment)
deploy: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" infra/deploy.sh $(STAGE)

## owner: a business and its first owner in a deployed STAGE: make owner STAGE=prod EMAIL=you@example.com [BUSINESS=…]
owner: $(STAMP)
	@test -n "$(EMAIL)" || { echo "make owner: give EMAIL=you@example.com (and STAGE=dev|prod)" >&2; exit 2; }
	$(PY) -m infra.owner --stage "$(STAGE)" --email "$(EMAIL)" $(if $(BUSINESS),--business "$(BUSINESS)")

## bench: cold start (packaged zip vs a minimal Chalice app), previews (worker vs vipsthumbnail vs naive Pillow), PDFs (import cost, warm render), make dev soak (SOAK_MINUTES=30)
bench: $(STAMP)
	$(PY) bench/cold_start.py
	$(PY) bench/previews.py
	$(PY) bench/pdf.py
	$(PY) bench/portal_history.py
	$(PY) bench/statement_scale.py
	$(PY) bench/export_scale.py
	$(PY) bench/dev_soak.py --minutes $${SOAK_MINUTES:-30}

clean:
	rm -rf $(VENV) build .dev .pytest_cache .mypy_cache .ruff_cache
