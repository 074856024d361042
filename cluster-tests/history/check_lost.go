package history

// CheckNoLostPublish checks that every key of every confirmed publish is in
// final (the visible set after the cluster healed), unless a revoke naming
// the key succeeded or has an unknown outcome.
func CheckNoLostPublish(ops []Op, final []Key) error {
	have := keySet(final)
	revoked := make(map[Key]struct{})
	for _, op := range ops {
		if op.Kind == KindRevoke && op.MayHaveTakenEffect() {
			for _, k := range op.Input.Keys {
				revoked[k] = struct{}{}
			}
		}
	}
	v := violations{sentinel: ErrLostPublish}
	for _, op := range ops {
		if op.Kind != KindPublish || !op.Succeeded() {
			continue
		}
		var missing []Key
		for _, k := range op.Input.Keys {
			if _, ok := revoked[k]; ok {
				continue
			}
			if _, ok := have[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			v.add("%v: %d of its keys missing from the final state: %s", op, len(missing), keyList(missing))
		}
	}
	return v.err()
}
