package node

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
	"google.golang.org/protobuf/proto"
)

// buggyApply is a deliberately wrong state-machine rule, as a bad deploy
// might ship: it stores only the first key of the victim's upload.
func buggyApply(victim string) func(st *fsm.State, index uint64, data []byte) (fsm.Result, error) {
	return func(st *fsm.State, index uint64, data []byte) (fsm.Result, error) {
		env, err := fsm.Decode(data)
		if err != nil || env.Type != fsmpb.CommandType_COMMAND_TYPE_PUBLISH {
			return st.Apply(index, data)
		}
		p := &fsmpb.Publish{}
		if err := proto.Unmarshal(env.Payload, p); err != nil {
			return st.Apply(index, data)
		}
		for _, it := range p.Items {
			if it.SubmissionId == victim {
				it.Keys = it.Keys[:1]
			}
		}
		if env.Payload, err = proto.Marshal(p); err != nil {
			return fsm.Result{}, err
		}
		if data, err = proto.Marshal(env); err != nil {
			return fsm.Result{}, err
		}
		return st.Apply(index, data)
	}
}

// Drill (b): a bad deploy corrupted the derived state. The journal holds
// the incoming commands untouched, so a rebuild with the fixed code gives
// the state of a correct replica; it is restored and served.
func TestDrillBadDeployRebuild(t *testing.T) {
	dir := t.TempDir()
	n := openNode(t, testNodeConfig("b1", dir, "", true))
	waitLeader(t, n)
	fill(t, n, workload.Options{Submissions: 25, Providers: 2, AuthBatch: 10})
	correct := n.State().Digest()
	last := n.AppliedIndex()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	jdir := journalOf(dir)

	// The bad deploy: the state the wrong rule derives from the same log.
	bad, err := Rebuild(context.Background(), RebuildOptions{JournalDir: jdir, Apply: buggyApply(workload.SubmissionID(7))})
	if err != nil {
		t.Fatalf("replay with the wrong rule: %v", err)
	}
	if bad.State.Digest() == correct {
		t.Fatal("the wrong rule did not change the state; the drill proves nothing")
	}
	badBackup := filepath.Join(t.TempDir(), "bad.snap")
	if _, err := WriteBackup(badBackup, bad.State); err != nil {
		t.Fatal(err)
	}
	badDir := t.TempDir()
	if _, err := Restore(badDir, badBackup); err != nil {
		t.Fatal(err)
	}
	served := openNode(t, testNodeConfig("bad1", badDir, "", false))
	waitLeader(t, served)
	if served.State().Digest() == correct {
		t.Fatal("the cluster built by the bad deploy serves the correct state")
	}
	served.Close()

	// The fix: rebuild from the journal with the real state machine.
	res, err := Rebuild(context.Background(), RebuildOptions{JournalDir: jdir})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	out := filepath.Join(t.TempDir(), "rebuilt.snap")
	info, err := WriteBackup(out, res.State)
	if err != nil {
		t.Fatal(err)
	}
	if info.Digest != correct || info.Index != last {
		t.Fatalf("rebuilt backup at %d digest %s, want %d %s", info.Index, info.Digest, last, correct)
	}
	fixedDir := t.TempDir()
	if _, err := Restore(fixedDir, out); err != nil {
		t.Fatal(err)
	}
	fixed := openNode(t, testNodeConfig("fixed1", fixedDir, "", false))
	waitLeader(t, fixed)
	if got := fixed.State().Digest(); got != correct {
		t.Fatalf("served digest after rebuild %s, want %s", got, correct)
	}
	sub, err := fixed.State().Submission(workload.SubmissionID(7))
	if err != nil || len(sub.Keys) != workload.DefaultKeysPerSubmission {
		t.Fatalf("victim submission after the fix: %d keys (%v), want %d", len(sub.Keys), err, workload.DefaultKeysPerSubmission)
	}
	t.Logf("bad deploy drill: wrong digest %.12s, rebuilt %.12s", bad.State.Digest(), info.Digest)
}
