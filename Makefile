# promwatch — see README.md.
#   make run    install what is missing, build, run the quickstart agent (EMF on stdout)
#   make test   install what the tests need (apt, pip), build, run every test
#   make fuzz   build the libFuzzer harness (Fuzz/) and fuzz the exposition parser for FUZZ_SECONDS
#   make test-e2e  the Kubernetes suites against the real cluster of PROMWATCH_E2E_KUBECONFIG
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= config/quickstart.yaml
BUILD_FLAGS ?=
APT_BUILD := libsnappy-dev libprotobuf-c-dev protobuf-c-compiler
APT_TEST := $(APT_BUILD) prometheus prometheus-node-exporter openssl

FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1

.PHONY: run test test-e2e build release deps test-deps clean fuzz

run: deps build
	$(SWIFT) run $(BUILD_FLAGS) promwatch agent --config $(CONFIG)

build:
	$(SWIFT) build $(BUILD_FLAGS)

release:
	$(SWIFT) build -c release $(BUILD_FLAGS)

test: test-deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS)

# Kubernetes suites against a real cluster (they create a namespace per test and delete it); suites that need the
# emulator's fault injection are skipped there.
test-e2e: deps
	@test -n "$(PROMWATCH_E2E_KUBECONFIG)" || { echo "make test-e2e: set PROMWATCH_E2E_KUBECONFIG to a kubeconfig" >&2; exit 2; }
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	PROMWATCH_E2E_KUBECONFIG="$(PROMWATCH_E2E_KUBECONFIG)" $(SWIFT) test --skip-build $(BUILD_FLAGS) --filter KubernetesIntegrationTests

deps:
	@scripts/install-deps.sh $(APT_BUILD)

test-deps:
	@scripts/install-deps.sh $(APT_TEST)
	@scripts/install-python-deps.sh

clean:
	rm -rf .build

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) SWIFT=$(SWIFT) Fuzz/fuzz.sh
