# netattest.tls_syslog: every entry point sets itself up from nothing (scripts/setup.sh is idempotent).
SHELL := /bin/bash
ROOT := $(CURDIR)
export PATH := $(ROOT)/.venv/bin:$(PATH)
export CONTAINERS_CONF := $(ROOT)/tests/podman/containers.conf
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(ROOT)/.cache/collections
export ANSIBLE_LOCAL_TEMP := $(ROOT)/.cache/ansible-tmp
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup setup-controller test check lint build docs unit sanity molecule integration demo bench clean

## The whole test suite (what CI runs): set-up, lint, build, docs, unit, sanity, molecule, integration.
test: setup
	scripts/run-tests.sh

## The inner loop (about a minute after set-up): lint, the docs check and the pure unit tests (no process,
## container, server or socket; the rest of the suite is make test).
check: setup
	scripts/run-tests.sh check

setup:
	scripts/setup.sh

## The real-AWS path only: the virtualenv and the collection link; no system package, no system service touched.
setup-controller:
	scripts/setup.sh --controller

lint: setup
	scripts/run-tests.sh lint

unit: setup
	scripts/run-tests.sh unit

molecule: setup
	scripts/run-tests.sh molecule

integration: setup
	scripts/run-tests.sh integration

## The main job on a local default: moto for AWS, a podman container for the instance.
demo: setup
	.venv/bin/python scripts/demo.py $(DEMO_ARGS)

bench: setup
	.venv/bin/python benchmarks/run.py

clean:
	rm -rf .cache/ansible-tmp netattest-tls_syslog-*.tar.gz
