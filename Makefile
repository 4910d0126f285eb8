# kubeguard — build, test and run targets. `make help` lists them.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

BIN     := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# -buildid= and -trimpath keep the binary free of build IDs and paths, so the same commit gives the same
# bytes (and `make image` the same digest) on any machine.
LDFLAGS := -s -w -buildid= -X main.version=$(VERSION)

# The image's provenance: the commit, and its time as the time of every file in the image
# (SOURCE_DATE_EPOCH, as reproducible builds name it).
REVISION          ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_REPOSITORY  ?= ghcr.io/kubeguard/kubeguard
IMAGE_SOURCE      ?= https://github.com/kubeguard/kubeguard

# GOTESTFLAGS adds go test flags, e.g. GOTESTFLAGS=-count=1 to run every test rather than reuse cached results.
GOTESTFLAGS ?=

export PATH := $(BIN):$(PATH)

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

##@ Build

.PHONY: build
build: ## Build bin/kubeguard.
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/kubeguard ./cmd/kubeguard

.PHONY: image
image: build ## Build the OCI image archive bin/kubeguard-image.tar from bin/kubeguard (no Docker needed).
	cd deploy/image && go run . -binary $(BIN)/kubeguard -out $(BIN)/kubeguard-image.tar \
	  -repository $(IMAGE_REPOSITORY) -version $(VERSION) -revision $(REVISION) \
	  -created $(SOURCE_DATE_EPOCH) -source $(IMAGE_SOURCE)

.PHONY: lint
lint: ## Check formatting (gofmt) and run go vet.
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	cd deploy/image && go vet ./...

.PHONY: generate
generate: ## Rewrite what the rule and audit check registries decide: docs/rules.md and README tables, the chart's rule schema and values comments, the `kubeguard rules` goldens.
	go run ./hack/generate
	go test ./cmd/kubeguard -run '^TestRules' -count=1 -update

.PHONY: tools
tools: ## Build etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, kubectl, helm, pod-security-webhook into bin/ (first time: minutes); download the Pod Security fixtures.
	@hack/tools/build.sh $(BIN)

##@ Test

.PHONY: unit
unit: ## Run the unit tests only: every package but e2e and deploy, which start a control plane.
	go test $(GOTESTFLAGS) $$(go list ./... | grep -vxF -e "$$(go list -m)/e2e" -e "$$(go list -m)/deploy")

.PHONY: test
test: lint build tools ## Run every test: unit, fuzz seeds, end to end (builds the tools first).
	go test $(GOTESTFLAGS) ./...

.PHONY: bench
bench: build tools ## Measure pod creates through the API server, kubeguard against the Pod Security Admission webhook, profile it, attack it, audit a large cluster (about 16 minutes).
	go build -o $(BIN)/kubeguard-loadgen ./bench/loadgen
	go build -o $(BIN)/kubeguard-floor ./bench/floor/kubeguard-floor
	go run ./bench/webhook -out $(BIN)/bench $(BENCH_FLAGS)
	go run ./bench/audit -out $(BIN)/bench/audit

##@ Run

.PHONY: run
run: build ## Serve the webhook on localhost:9443 with a fresh local CA in bin/certs (ca.crt for clients).
	@[ -f $(BIN)/certs/tls.crt ] || go run ./hack/devcerts -dir $(BIN)/certs
	$(BIN)/kubeguard serve --host 127.0.0.1 --cert-dir $(BIN)/certs --health-probe-bind-address 127.0.0.1:8081 --metrics-bind-address 127.0.0.1:8080

.PHONY: up
up: build tools ## Start a local cluster in the background: API server, kubeguard, controllers, scheduler, three kwok nodes (KUBECONFIG=bin/kubeconfig).
	@go build -o $(BIN)/devcluster ./hack/devcluster
	@hack/devcluster.sh up

.PHONY: down
down: ## Stop what `make up` started.
	@hack/devcluster.sh down

.PHONY: demo
demo: build tools ## Start a local cluster, apply examples/ with kubectl to show kubeguard at work, stop it.
	@status=0; $(MAKE) --no-print-directory up && hack/demo.sh || status=$$?; \
	  $(MAKE) --no-print-directory down; exit $$status
