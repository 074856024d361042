package history

import "math"

// CheckNoPhantomKeys checks that every key in a successful read, and in
// final, was sent by a publish that succeeded or whose outcome is unknown,
// and that no read returned it before the first such publish was invoked.
// Keys of publishes that certainly failed count as never sent.
func CheckNoPhantomKeys(ops []Op, final []Key) error {
	firstCall := make(map[Key]int64)
	for _, op := range ops {
		if op.Kind != KindPublish || !op.MayHaveTakenEffect() {
			continue
		}
		for _, k := range op.Input.Keys {
			if t, ok := firstCall[k]; !ok || op.Call < t {
				firstCall[k] = op.Call
			}
		}
	}
	v := violations{sentinel: ErrPhantomKey}
	check := func(what string, keys []Key, returned int64) {
		var never, early []Key
		for _, k := range keys {
			t, ok := firstCall[k]
			switch {
			case !ok:
				never = append(never, k)
			case returned < t:
				early = append(early, k)
			}
		}
		if len(never) > 0 {
			v.add("%s: shows %d key(s) no one sent: %s", what, len(never), keyList(never))
		}
		if len(early) > 0 {
			v.add("%s: shows %d key(s) before anyone sent them: %s", what, len(early), keyList(early))
		}
	}
	for _, op := range ops {
		if op.Kind == KindRead && op.Succeeded() {
			check(op.String(), op.Output.Keys, op.Return)
		}
	}
	check("final state", final, math.MaxInt64)
	return v.err()
}
