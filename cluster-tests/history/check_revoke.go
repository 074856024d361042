package history

// CheckNoRevokedReappear checks that no successful read whose state covers
// a confirmed revocation (its index, or the min_index it asked for, is at
// least the revocation's seq) shows a key that revocation removed.
// Revocations confirmed with seq 0 (see Op) are skipped. A key
// published again by a publish invoked after the revocation was invoked is
// exempt from that revocation.
func CheckNoRevokedReappear(ops []Op) error {
	type revocation struct {
		op   Op
		keys map[Key]struct{}
	}
	var revs []revocation
	for _, op := range ops {
		if op.Kind != KindRevoke || !op.Succeeded() || op.Output.Seq == 0 {
			continue
		}
		keys := keySet(op.Input.Keys)
		for _, p := range ops {
			if p.Kind == KindPublish && p.MayHaveTakenEffect() && p.Call > op.Call {
				for _, k := range p.Input.Keys {
					delete(keys, k)
				}
			}
		}
		if len(keys) > 0 {
			revs = append(revs, revocation{op: op, keys: keys})
		}
	}
	v := violations{sentinel: ErrRevokedReappeared}
	for _, read := range ops {
		if read.Kind != KindRead || !read.Succeeded() {
			continue
		}
		covered := max(read.Output.Index, read.Input.MinIndex)
		for _, rev := range revs {
			if covered < rev.op.Output.Seq {
				continue
			}
			var back []Key
			for _, k := range read.Output.Keys {
				if _, ok := rev.keys[k]; ok {
					back = append(back, k)
				}
			}
			if len(back) > 0 {
				v.add("%v: shows %s revoked by %v", read, keyList(back), rev.op)
			}
		}
	}
	return v.err()
}
