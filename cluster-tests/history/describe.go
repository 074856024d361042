package history

import (
	"fmt"
	"strings"
)

// maxListed bounds how many keys or operations an error message names.
const maxListed = 5

// keyList formats up to maxListed key fingerprints.
func keyList(keys []Key) string {
	var b strings.Builder
	for i, k := range keys {
		if i == maxListed {
			fmt.Fprintf(&b, " and %d more", len(keys)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.String())
	}
	return b.String()
}

// violations collects findings and joins the first maxListed into one error.
type violations struct {
	sentinel error
	found    []string
}

func (v *violations) add(format string, args ...any) {
	v.found = append(v.found, fmt.Sprintf(format, args...))
}

// err returns nil when nothing was found.
func (v *violations) err() error {
	if len(v.found) == 0 {
		return nil
	}
	shown := v.found[:min(len(v.found), maxListed)]
	msg := strings.Join(shown, "; ")
	if extra := len(v.found) - len(shown); extra > 0 {
		msg += fmt.Sprintf("; and %d more", extra)
	}
	return fmt.Errorf("%w: %d violation(s): %s", v.sentinel, len(v.found), msg)
}

// keySet returns the set of keys.
func keySet(keys []Key) map[Key]struct{} {
	s := make(map[Key]struct{}, len(keys))
	for _, k := range keys {
		s[k] = struct{}{}
	}
	return s
}
