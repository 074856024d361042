# Local three-node cluster (scripts/cluster.sh; docs/operations.md).
#
#   make cluster        start n1..n3 (dc1..dc3) in the background, data in ./.cluster/
#   make cluster-stop   stop them (the data stays)

.PHONY: cluster cluster-stop

## cluster: start three local nodes in three data centers; prints URLs and the admin token
cluster: build
	scripts/cluster.sh start

## cluster-stop: stop the nodes started by make cluster
cluster-stop:
	scripts/cluster.sh stop
