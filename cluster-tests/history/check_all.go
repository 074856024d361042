package history

import "errors"

// CheckAll runs every checker except the linearizability check and joins
// their errors: ops is the history, final the visible set after the cluster
// healed, digests each node's final state digest.
func CheckAll(ops []Op, final []Key, digests map[string]string) error {
	return errors.Join(
		CheckNoLostPublish(ops, final),
		CheckNoDuplicateKeys(ops),
		CheckNoPhantomKeys(ops, final),
		CheckNoRevokedReappear(ops),
		CheckMinIndexHonoured(ops),
		CheckDigestsEqual(digests),
	)
}
