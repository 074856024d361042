# Fault-injection soak (see "Fault testing" in docs/operations.md).
#
#   make soak                       30 minutes (DURATION=30m)
#   make soak DURATION=5m SEED=42   a shorter run, replaying a schedule
#
# A cluster of node processes on 127.0.0.1 behind fault proxies, 40 ms +- 10 ms
# between data centers, concurrent clients and a nemesis; every epoch is
# checked (lost, duplicate, phantom, revoked keys, min_index, digests,
# linearizability). Output: SOAK_OUT (summary.txt, events.log, node logs).

DURATION   ?= 30m
SOAK_EPOCH ?= 3m
SOAK_NODES ?= 5
SOAK_OUT   ?= soak-out/$(shell date -u +%Y%m%d-%H%M%S)
SEED       ?= 0

.PHONY: soak

## soak: long fault-injection run (DURATION=30m), prints a summary; exit 1 on any anomaly
soak:
	$(GO) build -o bin/soak ./tools/soak
	bin/soak -duration $(DURATION) -epoch $(SOAK_EPOCH) -nodes $(SOAK_NODES) -seed $(SEED) -out $(SOAK_OUT)
