package faults

import (
	"encoding/base64"
	"math/rand/v2"
	"time"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// newKeys makes one to three keys of the last days (whole past days, so no
// embargo applies), one per day, with random bytes from rng.
func newKeys(rng *rand.Rand, now time.Time) []client.Key {
	n := 1 + rng.IntN(3)
	day := client.DayStart(now)
	keys := make([]client.Key, n)
	for i := range keys {
		var b [16]byte
		for j := 0; j < 16; j += 8 {
			v := rng.Uint64()
			for k := range 8 {
				b[j+k] = byte(v >> (8 * k))
			}
		}
		keys[i] = client.NewKey(b, day-uint32(i+1)*144, 144)
	}
	return keys
}

// historyKeys converts API keys to history keys. A key that does not
// decode to 16 bytes (which the server never sends) becomes the zero key,
// which no client sends, so the phantom checker reports it.
func historyKeys(keys []client.Key) []history.Key {
	out := make([]history.Key, len(keys))
	for i, k := range keys {
		b, err := base64.StdEncoding.DecodeString(k.Key)
		if err == nil && len(b) == len(out[i]) {
			copy(out[i][:], b)
		}
	}
	return out
}

// refKeys converts revoked key references to history keys.
func refKeys(refs []client.KeyRef) []history.Key {
	keys := make([]client.Key, len(refs))
	for i, r := range refs {
		keys[i] = client.Key{Key: r.Key}
	}
	return historyKeys(keys)
}
