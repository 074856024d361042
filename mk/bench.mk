# Load generator (see docs/performance.md).
#
#   make bench                  the standard set on a local 3-node cluster
#   make bench-scale KEYS=N     fill N keys, then memory, delta growth, restart, catch-up

BENCH_FLAGS ?=
KEYS        ?= 1000000

.PHONY: bench bench-scale

## bench: publish, delta, full, checkpoint and longpoll on a local 3-node cluster
bench: build
	$(BIN) bench --scenario publish,delta,full,checkpoint,longpoll $(BENCH_FLAGS)

## bench-scale: load KEYS keys, then measure memory per key, delta cost growth, restart and catch-up
bench-scale: build
	$(BIN) bench --scenario scale --fill-keys $(KEYS) $(BENCH_FLAGS)
