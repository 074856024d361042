package history

import (
	"errors"
	"sync"
	"testing"
)

func TestRecorderConcurrent(t *testing.T) {
	r := NewRecorder()
	const clients, each = 8, 50
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				in := Input{Node: "n1", Keys: keys(byte(c), byte(i))}
				p := r.Begin(c, KindPublish, in)
				in.Keys[0] = key(0xee) // the recorder must have copied
				switch i % 3 {
				case 0:
					p.Ok(Output{Seq: uint64(i + 1)})
				case 1:
					p.Fail(errors.New("rejected"))
				default:
					p.Unknown(errTimeout)
				}
				p.Ok(Output{Seq: 999}) // ignored: already finished
			}
		}()
	}
	wg.Wait()

	ops := r.Ops()
	if got, want := len(ops), clients*each; got != want {
		t.Fatalf("recorded %d ops, want %d", got, want)
	}
	var ok, failed, unknown int
	for i, op := range ops {
		if i > 0 && ops[i-1].Call > op.Call {
			t.Fatalf("ops not ordered by call time at %d", i)
		}
		if op.Return < op.Call {
			t.Fatalf("op %v returns before its call", op)
		}
		if op.Input.Keys[0] == key(0xee) {
			t.Fatalf("recorder kept the caller's slice")
		}
		if op.Output.Seq == 999 {
			t.Fatalf("second finish was recorded")
		}
		switch {
		case op.Succeeded():
			ok++
		case op.Unknown:
			unknown++
			if !op.MayHaveTakenEffect() {
				t.Fatalf("unknown op may not have taken effect")
			}
		default:
			failed++
			if op.MayHaveTakenEffect() {
				t.Fatalf("failed op may have taken effect")
			}
		}
	}
	if ok == 0 || failed == 0 || unknown == 0 {
		t.Fatalf("ok=%d failed=%d unknown=%d, want all kinds", ok, failed, unknown)
	}
}

func TestKeyStringHidesBytes(t *testing.T) {
	k := key(0x42)
	s := k.String()
	if len(s) != len("key#")+8 {
		t.Fatalf("String() = %q, want key# and 8 hex digits", s)
	}
	if s == key(0x43).String() {
		t.Fatalf("different keys share fingerprint %q", s)
	}
}

func TestReplica(t *testing.T) {
	var r Replica
	r.Apply(true, keys(1, 2, 3), nil)
	r.Apply(false, keys(4), keys(2))
	if got, want := r.Keys(), keys(1, 3, 4); !equalKeys(got, want) {
		t.Fatalf("after delta: %v, want %v", got, want)
	}
	r.Apply(false, keys(1), nil) // the server sent key 1 again
	if err := CheckNoDuplicateKeys([]Op{{Kind: KindRead, Output: Output{Keys: r.Keys()}}}); !errors.Is(err, ErrDuplicateKey) {
		t.Fatalf("duplicate kept by replica not caught: %v", err)
	}
	r.Apply(false, nil, keys(1))
	if got, want := r.Keys(), keys(3, 4); !equalKeys(got, want) {
		t.Fatalf("after revoking a duplicated key: %v, want %v", got, want)
	}
	r.Apply(true, keys(9), nil)
	if got, want := r.Keys(), keys(9); !equalKeys(got, want) {
		t.Fatalf("after reset: %v, want %v", got, want)
	}
}

func equalKeys(a, b []Key) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
