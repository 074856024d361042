package history

// CheckNoDuplicateKeys checks that no successful read shows a key twice.
func CheckNoDuplicateKeys(ops []Op) error {
	v := violations{sentinel: ErrDuplicateKey}
	for _, op := range ops {
		if op.Kind != KindRead || !op.Succeeded() {
			continue
		}
		seen := make(map[Key]struct{}, len(op.Output.Keys))
		var dups []Key
		for _, k := range op.Output.Keys {
			if _, ok := seen[k]; ok {
				dups = append(dups, k)
				continue
			}
			seen[k] = struct{}{}
		}
		if len(dups) > 0 {
			v.add("%v: shows %s more than once", op, keyList(dups))
		}
	}
	return v.err()
}
