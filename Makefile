# holdfast developer loop. `make check` is what CI runs (.ci/run).
SHELL := /bin/bash
GO ?= go
TOOLS := $(CURDIR)/.tools
NATS_SERVER_VERSION := v2.15.2
NATSCLI_VERSION := v0.5.1
STATICCHECK_VERSION := v0.8.2
FUZZTIME ?= 30s
export PATH := $(TOOLS):$(PATH)

.PHONY: all build run test race check test-compat fuzz bench bench-compare verify fix tools clean

all: build

build:
	$(GO) build -o bin/holdfast ./cmd/holdfast

run: build
	./bin/holdfast -js

test:
	$(GO) test ./...

race:
	$(GO) test -race ./...

# Everything CI runs: tools, static checks, the race-enabled suite, and the
# black-box suite against nats-server to prove the tests describe NATS.
check: tools verify race test-compat

test-compat: tools
	HOLDFAST_TEST_SERVER=$(TOOLS)/nats-server $(GO) test -count=1 ./test/...

fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-compare: tools build
	./bench/compare.sh

verify: tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/staticcheck ./...
	$(GO) generate ./...
	@git diff --exit-code -- '*_gen.go' || (echo "generated code is out of date: run make fix"; exit 1)

fix:
	gofmt -w $$(git ls-files '*.go')
	$(GO) generate ./...

# Peers and linters go into the git-ignored .tools folder, from the Go module proxy.
tools: $(TOOLS)/.nats-server-$(NATS_SERVER_VERSION) $(TOOLS)/.nats-$(NATSCLI_VERSION) $(TOOLS)/.staticcheck-$(STATICCHECK_VERSION)

$(TOOLS)/.nats-server-%:
	GOBIN=$(TOOLS) $(GO) install github.com/nats-io/nats-server/v2@$*
	touch $@

$(TOOLS)/.nats-%:
	GOBIN=$(TOOLS) $(GO) install github.com/nats-io/natscli/nats@$*
	touch $@

$(TOOLS)/.staticcheck-%:
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$*
	touch $@

clean:
	rm -rf bin
