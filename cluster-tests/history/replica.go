package history

import "slices"

// Replica is a client-side copy of the public key set, kept up to date from
// /v1/keys deltas. It keeps duplicates (a key the server sent twice stays
// twice) so that CheckNoDuplicateKeys can see them. It is not safe for
// concurrent use.
type Replica struct {
	keys []Key
}

// Apply applies one /v1/keys answer: with reset the set is replaced by
// added; otherwise added keys are appended and every copy of each revoked
// key is removed.
func (r *Replica) Apply(reset bool, added, revoked []Key) {
	if reset {
		r.keys = r.keys[:0]
	}
	if len(revoked) > 0 {
		gone := make(map[Key]struct{}, len(revoked))
		for _, k := range revoked {
			gone[k] = struct{}{}
		}
		r.keys = slices.DeleteFunc(r.keys, func(k Key) bool {
			_, ok := gone[k]
			return ok
		})
	}
	r.keys = append(r.keys, added...)
}

// Keys returns a copy of the replica's keys, duplicates kept.
func (r *Replica) Keys() []Key { return slices.Clone(r.keys) }
