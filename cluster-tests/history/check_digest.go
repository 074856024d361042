package history

import (
	"fmt"
	"slices"
	"strings"
)

// CheckDigestsEqual checks that every node (map key) reports the same state
// digest. An empty map passes.
func CheckDigestsEqual(digests map[string]string) error {
	groups := make(map[string][]string)
	for node, d := range digests {
		groups[d] = append(groups[d], node)
	}
	if len(groups) <= 1 {
		return nil
	}
	parts := make([]string, 0, len(groups))
	for d, nodes := range groups {
		slices.Sort(nodes)
		parts = append(parts, fmt.Sprintf("%s=%q", strings.Join(nodes, ","), d))
	}
	slices.Sort(parts)
	return fmt.Errorf("%w: %d different digests: %s", ErrDigestMismatch, len(groups), strings.Join(parts, " "))
}
