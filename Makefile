# tekstore: build, run and test.
#
#   make run    build, then start one local node with a demo provider (tekstore dev)
#   make test   gofmt check, go vet, and every test with the race detector
#
# Other parts of the project add their targets in mk/*.mk (included at the
# end): the local three-node cluster (make cluster / cluster-stop) and the
# load generator (make bench / soak).

export PATH := /usr/local/go/bin:$(PATH)

GO           ?= go
BIN          := bin/tekstore
TEST_TIMEOUT ?= 12m
FUZZTIME     ?= 15s

.DEFAULT_GOAL := build
.PHONY: build run test lint fmt-check vet fuzz clean

## build: compile bin/tekstore
build:
	$(GO) build -o $(BIN) ./cmd/tekstore

## run: build, then run one local node (HTTP on 127.0.0.1:8080, data in ./tekstore-data)
run: build
	$(BIN) dev

## test: formatting, vet, then all tests with -race
test: lint
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...

## lint: gofmt must list no file; go vet must be clean
lint: fmt-check vet

fmt-check:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt -l lists files that need formatting:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		pkg="$$(dirname "$$file")"; \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$file"); do \
			echo "== $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
		done; \
	done

clean:
	rm -rf bin

# Targets owned by other parts of the project: mk/cluster.mk (cluster,
# cluster-stop), mk/bench.mk (bench, soak), ...
-include $(wildcard mk/*.mk)
