package transport

import (
	"testing"
)

func TestJoinRequestValidate(t *testing.T) {
	str := func(s string) *string { return &s }
	no := false
	tests := []struct {
		name      string
		req       joinRequest
		wantErr   bool
		wantURL   string
		wantVoter bool
	}{
		{"minimal voter", joinRequest{ID: str("n4"), RaftAddr: str("10.0.0.4:7000")}, false, "", true},
		{"non-voter with URL", joinRequest{ID: str("r1"), RaftAddr: str("h:7000"), HTTPAddr: str("https://h:8443/"), Voter: &no}, false, "https://h:8443", false},
		{"missing id", joinRequest{RaftAddr: str("h:1")}, true, "", false},
		{"id with a dot", joinRequest{ID: str("n.4"), RaftAddr: str("h:1")}, true, "", false},
		{"id with a slash", joinRequest{ID: str("a/b"), RaftAddr: str("h:1")}, true, "", false},
		{"raft without port", joinRequest{ID: str("n4"), RaftAddr: str("h")}, true, "", false},
		{"raft port zero", joinRequest{ID: str("n4"), RaftAddr: str("h:0")}, true, "", false},
		{"http not a URL", joinRequest{ID: str("n4"), RaftAddr: str("h:1"), HTTPAddr: str("h:8080")}, true, "", false},
		{"http with a path", joinRequest{ID: str("n4"), RaftAddr: str("h:1"), HTTPAddr: str("http://h:8080/x")}, true, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, url, err := tc.req.validate()
			if tc.wantErr {
				if err == nil || toAPIError(err).status != 400 {
					t.Fatalf("err = %v, want a 400", err)
				}
				return
			}
			if err != nil || url != tc.wantURL || m.Voter != tc.wantVoter || m.ID != *tc.req.ID {
				t.Fatalf("got %+v %q %v", m, url, err)
			}
		})
	}
}
