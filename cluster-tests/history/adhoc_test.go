package history

import (
	"testing"
	"time"
)

func TestAdhocSeeds(t *testing.T) {
	for seed := uint64(1); seed < 30; seed++ {
		ops := simulate(t, seed, 2000)
		start := time.Now()
		if err := CheckLinearizable(ops, LinearizabilityOptions{Timeout: 30 * time.Second}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		d := time.Since(start)
		// mutate: a read in the middle sees an extra key of a later publish
		for i := len(ops) / 2; i < len(ops); i++ {
			if ops[i].Kind == KindRead {
				for j := i + 1; j < len(ops); j++ {
					if ops[j].Kind == KindPublish && ops[j].Call > ops[i].Return {
						ops[i].Output.Keys = append(ops[i].Output.Keys, ops[j].Input.Keys[0])
						break
					}
				}
				break
			}
		}
		err := CheckLinearizable(ops, LinearizabilityOptions{Timeout: 30 * time.Second})
		t.Logf("seed %d: ok in %v; mutated: %v", seed, d, err)
		if err == nil {
			t.Fatalf("seed %d mutation not caught", seed)
		}
	}
}
