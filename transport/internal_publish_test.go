package transport

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/tekstore/tekstore/cluster"

	"github.com/tekstore/tekstore/transport/internalpb"
)

// TestRelayedUploadRefusalsKeepTheirAnswer: the leader's per-upload
// refusals reach the follower's clients with the leader's status and code,
// and a 503 (the leader lost its role under a relayed upload) carries
// Retry-After like every 503 of spec §2.
func TestRelayedUploadRefusalsKeepTheirAnswer(t *testing.T) {
	s := New(Config{Store: newFakeStore(t, "n1")})
	notLeader := toAPIError(cluster.ErrNotLeader)
	res := resultsFromLeader(&internalpb.PublishResults{Results: []*internalpb.PublishResult{
		{SubmissionId: "s_1", Inserted: 14, Seq: 7},
		{ErrorStatus: 409, ErrorCode: codeCodeUsed, ErrorMessage: "code already used"},
		{ErrorStatus: uint32(notLeader.status), ErrorCode: notLeader.code, ErrorMessage: notLeader.msg},
	}})
	if len(res) != 3 || res[0].Err != nil || res[0].SubmissionID != "s_1" || res[0].Inserted != 14 || res[0].Seq != 7 {
		t.Fatalf("accepted upload: %+v", res)
	}
	for i, want := range []struct {
		status     int
		code       string
		retryAfter string
	}{{}, {409, codeCodeUsed, ""}, {503, codeNoLeader, "1"}} {
		if i == 0 {
			continue
		}
		var ae *apiError
		if !errors.As(res[i].Err, &ae) {
			t.Fatalf("upload %d: error %v is not an API error", i, res[i].Err)
		}
		w := httptest.NewRecorder()
		s.writeError(w, httptest.NewRequest("POST", "/v1/publish", nil), ae)
		if w.Code != want.status || w.Header().Get("Retry-After") != want.retryAfter || ae.code != want.code {
			t.Errorf("upload %d: status %d, code %s, Retry-After %q; want %d, %s, %q", i, w.Code, ae.code, w.Header().Get("Retry-After"), want.status, want.code, want.retryAfter)
		}
	}
}
