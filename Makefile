# kubeguard — build, test and run targets. `make help` lists them.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

BIN     := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

export PATH := $(BIN):$(PATH)

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

##@ Build

.PHONY: build
build: ## Build bin/kubeguard.
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/kubeguard ./cmd/kubeguard

.PHONY: lint
lint: ## Check formatting (gofmt) and run go vet.
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...

##@ Test

.PHONY: unit
unit: ## Run the unit tests only (no control plane needed).
	go test ./rules/... ./webhook/... ./cmd/...

.PHONY: test
test: lint build ## Run every test: unit, fuzz seeds, end to end (builds the tools first).
	go test ./...

##@ Run

.PHONY: run
run: build ## Serve the webhook locally with certificates from ./bin/certs.
	$(BIN)/kubeguard serve --cert-dir $(BIN)/certs
