package bench

import (
	"crypto/rand"
	"time"

	"github.com/tekstore/tekstore/client"
)

// upload returns n valid keys (n <= 14): one whole-day key for each of the
// last n days, with random bytes, as a real app uploads them.
func upload(n int, now time.Time) []client.Key {
	today := client.DayStart(now)
	keys := make([]client.Key, n)
	for i := range keys {
		var b [16]byte
		_, _ = rand.Read(b[:])
		keys[i] = client.NewKey(b, today-uint32(i+1)*144, 144)
	}
	return keys
}
