package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
	"google.golang.org/protobuf/proto"
)

func TestDrainBatchTakesWhatIsQueuedUpToTheLimit(t *testing.T) {
	n := &Node{publishCh: make(chan publishReq, publishQueue)}
	for i := range maxBatchItems + 10 {
		n.publishCh <- publishReq{item: []byte(fmt.Sprint(i))}
	}
	first := publishReq{item: []byte("first")}
	batch := n.drainBatch(first)
	if len(batch) != maxBatchItems || string(batch[0].item) != "first" || string(batch[1].item) != "0" {
		t.Fatalf("first batch: %d items starting %q, %q; want %d starting first, 0", len(batch), batch[0].item, batch[1].item, maxBatchItems)
	}
	last := <-n.publishCh
	if batch := n.drainBatch(last); len(batch) != 11 {
		t.Fatalf("second batch: %d items, want the 11 left", len(batch))
	}
	if batch := n.drainBatch(first); len(batch) != 1 {
		t.Fatalf("batch from an empty queue: %d items, want 1", len(batch))
	}
}

// Concurrent uploads share batches, and each caller gets its own item's
// result: its submission, a refusal of its own, or a replay.
func TestPublishBatchedAnswersEachUpload(t *testing.T) {
	n := openNode(t, testNodeConfig("n1", t.TempDir(), "", true))
	waitLeader(t, n)
	const uploads = 64
	propose(t, n, fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER, &fsmpb.CreateProvider{Id: "p_1", Name: "P", TokenHash: make([]byte, 32)})
	issue := &fsmpb.IssueAuthorizations{ProviderId: "p_1", ReportType: uint32(tek.ReportConfirmed), ExpiresUnixMs: time.Now().Add(time.Hour).UnixMilli()}
	for i := range uploads {
		issue.Authorizations = append(issue.Authorizations, &fsmpb.Authorization{Id: fmt.Sprintf("a_%d", i), CodeHash: workload.CodeHash(i)})
	}
	propose(t, n, fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, issue)

	// Upload i uses code i; two more uploads use code 0 with the same keys
	// (a retry) and code 1 with other keys.
	items := make([]*fsmpb.PublishItem, uploads+2)
	for i := range uploads {
		items[i] = testItem(i, i, i)
	}
	items[uploads] = testItem(0, uploads, 0)
	items[uploads+1] = testItem(1, uploads+1, 1000)
	results := make([]fsm.PublishItemResult, len(items))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			enc, err := proto.Marshal(it)
			if err != nil {
				errs[i] = err
				return
			}
			results[i], errs[i] = n.PublishBatched(context.Background(), enc)
			if errs[i] == nil {
				errs[i] = results[i].Err // a refusal of this upload alone
			}
		}()
	}
	wg.Wait()

	for i := 2; i < uploads; i++ {
		if errs[i] != nil || results[i].SubmissionID != items[i].SubmissionId || results[i].Inserted != 2 || results[i].Replayed {
			t.Errorf("upload %d: %+v, %v; want its own new submission with 2 keys", i, results[i], errs[i])
		}
	}
	// Code 0 twice with the same keys: one submission, the other a replay.
	a, b := results[0], results[uploads]
	if errs[0] != nil || errs[uploads] != nil || a.SubmissionID != b.SubmissionID || a.Replayed == b.Replayed {
		t.Errorf("code 0 uploaded twice with the same keys: %+v (%v) and %+v (%v); want one submission and a replay", a, errs[0], b, errs[uploads])
	}
	// Code 1 twice with other keys: one submission, the other refused.
	for _, pair := range [][2]int{{1, uploads + 1}, {uploads + 1, 1}} {
		won, lost := pair[0], pair[1]
		if errs[won] == nil && errors.Is(errs[lost], fsm.ErrCodeUsed) && results[won].SubmissionID == items[won].SubmissionId {
			return
		}
	}
	t.Errorf("code 1 uploaded twice with other keys: %+v (%v) and %+v (%v); want one submission and one ErrCodeUsed",
		results[1], errs[1], results[uploads+1], errs[uploads+1])
}

// testItem is an upload with code c, submission s and two keys whose bytes
// depend on k.
func testItem(c, s, k int) *fsmpb.PublishItem {
	today := tek.IntervalOf(time.Now()) / tek.IntervalsPerDay * tek.IntervalsPerDay
	it := &fsmpb.PublishItem{CodeHash: workload.CodeHash(c), SubmissionId: workload.SubmissionID(s), RevisionTokenHash: workload.RevisionHash(s)}
	for d := 1; d <= 2; d++ {
		data := make([]byte, tek.KeyLen)
		data[0], data[1], data[2] = byte(k), byte(k>>8), byte(d)
		it.Keys = append(it.Keys, &fsmpb.Key{Data: data, RollingStart: today - uint32(d)*tek.IntervalsPerDay, RollingPeriod: tek.MaxRollingPeriod})
	}
	return it
}

func propose(t *testing.T, n *Node, typ fsmpb.CommandType, payload proto.Message) {
	t.Helper()
	res, err := n.Propose(context.Background(), typ, payload)
	if err == nil {
		err = resultErr(res)
	}
	if err != nil {
		t.Fatalf("propose %v: %v", typ, err)
	}
}

// TestPublishRelayedJoinsTheLeadersBatches: a batch forwarded by a
// follower is answered per upload, in order, like uploads of the leader's
// own clients: new submissions, a refusal of its own, a replay.
func TestPublishRelayedJoinsTheLeadersBatches(t *testing.T) {
	n := openNode(t, testNodeConfig("n1", t.TempDir(), "", true))
	waitLeader(t, n)
	propose(t, n, fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER, &fsmpb.CreateProvider{Id: "p_1", Name: "P", TokenHash: make([]byte, 32)})
	issue := &fsmpb.IssueAuthorizations{ProviderId: "p_1", ReportType: uint32(tek.ReportConfirmed), ExpiresUnixMs: time.Now().Add(time.Hour).UnixMilli()}
	for i := range 3 {
		issue.Authorizations = append(issue.Authorizations, &fsmpb.Authorization{Id: fmt.Sprintf("a_%d", i), CodeHash: workload.CodeHash(i)})
	}
	propose(t, n, fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, issue)

	// Codes 0 and 1, code 1 again with other keys, code 0 again with the
	// same keys (a retry), and an unknown code 7.
	items := []*fsmpb.PublishItem{testItem(0, 0, 0), testItem(1, 1, 1), testItem(1, 2, 2), testItem(0, 3, 0), testItem(7, 4, 4)}
	payload, err := proto.Marshal(&fsmpb.Publish{Items: items})
	if err != nil {
		t.Fatal(err)
	}
	split, err := fsm.SplitPublishPayload(payload)
	if err != nil {
		t.Fatal(err)
	}
	res, err := n.PublishRelayed(context.Background(), split)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(items) {
		t.Fatalf("%d results for %d uploads", len(res), len(items))
	}
	if res[0].Err != nil || res[0].SubmissionID != items[0].SubmissionId || res[0].Inserted != 2 {
		t.Errorf("upload 0: %+v", res[0])
	}
	if res[1].Err != nil || res[1].SubmissionID != items[1].SubmissionId {
		t.Errorf("upload 1: %+v", res[1])
	}
	if !errors.Is(res[2].Err, fsm.ErrCodeUsed) {
		t.Errorf("upload 2 (code 1 with other keys): %+v, want ErrCodeUsed", res[2])
	}
	if res[3].Err != nil || !res[3].Replayed || res[3].SubmissionID != items[0].SubmissionId {
		t.Errorf("upload 3 (retry of upload 0): %+v, want a replay of %s", res[3], items[0].SubmissionId)
	}
	if !errors.Is(res[4].Err, fsm.ErrCodeInvalid) {
		t.Errorf("upload 4 (unknown code): %+v, want ErrCodeInvalid", res[4])
	}
}

// TestRelayedUploadsAreNeverForwardedAgain: a node that lost the
// leadership answers relayed uploads with ErrNotLeader instead of sending
// them on, and keeps its own clients' uploads for the forward.
func TestRelayedUploadsAreNeverForwardedAgain(t *testing.T) {
	batch := []publishReq{
		{item: []byte("own-1"), done: make(chan publishDone, 1)},
		{item: []byte("relayed"), done: make(chan publishDone, 1), relayed: true},
		{item: []byte("own-2"), done: make(chan publishDone, 1)},
	}
	relayed := batch[1]
	kept := failRelayed(batch)
	if len(kept) != 2 || string(kept[0].item) != "own-1" || string(kept[1].item) != "own-2" {
		t.Fatalf("kept %d uploads, want own-1 and own-2", len(kept))
	}
	select {
	case d := <-relayed.done:
		if !errors.Is(d.err, cluster.ErrNotLeader) {
			t.Fatalf("relayed upload answered %v, want cluster.ErrNotLeader", d.err)
		}
	default:
		t.Fatal("relayed upload not answered")
	}
}
