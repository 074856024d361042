package history

// CheckMinIndexHonoured checks that no successful read reports an index
// below the min_index it asked for.
func CheckMinIndexHonoured(ops []Op) error {
	v := violations{sentinel: ErrMinIndexIgnored}
	for _, op := range ops {
		if op.Kind == KindRead && op.Succeeded() && op.Output.Index < op.Input.MinIndex {
			v.add("%v: index below min_index", op)
		}
	}
	return v.err()
}
