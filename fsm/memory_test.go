package fsm

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// TestMeasureMemoryPerKey loads TEKSTORE_MEASURE_KEYS keys (14 per upload,
// codes issued in stacks of 1000, one seal per 100k keys) into a state and
// prints the live heap plus the off-heap columns per key. It measures; it asserts only that it ran.
// Run: TEKSTORE_MEASURE_KEYS=1000000 go test -run MeasureMemory -v ./fsm/
func TestMeasureMemoryPerKey(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TEKSTORE_MEASURE_KEYS"))
	if n == 0 {
		t.Skip("set TEKSTORE_MEASURE_KEYS to measure")
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc + uint64(OffHeapBytes())
	}
	h := newHarness(t)
	h.provider("p1", 0)
	base := heap()
	uploads := n / 14
	for done := 0; done < uploads; done += 1000 {
		cnt := min(1000, uploads-done)
		codes := make([]string, cnt)
		for i := range codes {
			codes[i] = fmt.Sprintf("m-%d", done+i)
		}
		h.issue(issueReq{provider: "p1", codes: codes})
		items := make([]*fsmpb.PublishItem, 0, 64)
		for i, c := range codes {
			items = append(items, item(c, h.pastKeys(14)))
			if len(items) == 64 || i == len(codes)-1 {
				h.publishItems(items...)
				items = items[:0]
			}
		}
		if (done+cnt)*14%100000 < cnt*14 {
			h.seal()
		}
	}
	used := heap() - base
	pub, _ := h.s.PublicCount()
	fmt.Printf("keys=%d heap+offheap=%d MiB (offheap %d MiB) bytesPerKey=%.1f\n", pub, used>>20, OffHeapBytes()>>20, float64(used)/float64(pub))
	if pub == 0 {
		t.Fatal("no keys loaded")
	}
	_ = tek.KeyLen
}
