package transport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tekstore/tekstore/cluster"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/transport/internalpb"
	"google.golang.org/protobuf/proto"
)

// Inter-node publish forwarding: a follower's batcher sends the uploads it
// validated (code checks, key rules, ids made) to the leader as one
// protobuf request; the leader commits them as one Publish command and
// answers one result per upload.
const (
	internalPublishPath = "/internal/v1/publish"
	protobufType        = "application/x-protobuf"
	// internalBodyLimit bounds a forwarded batch (256 uploads of 30 keys).
	internalBodyLimit = 2 << 20
)

// publishForwarderSetter is implemented by nodes that batch on followers.
// relayPublisher is implemented by stores that add a forwarded batch to
// their own batches (node.Node.PublishRelayed).
type relayPublisher interface {
	PublishRelayed(ctx context.Context, items [][]byte) ([]fsm.PublishItemResult, error)
}

// commitRelayed commits a batch a follower forwarded (payload, split into
// items): through the store's batcher when it has one, else as one
// command of its own.
func (s *Server) commitRelayed(ctx context.Context, payload []byte, items [][]byte) ([]fsm.PublishItemResult, error) {
	if rp, ok := s.store.(relayPublisher); ok {
		return rp.PublishRelayed(ctx, items)
	}
	res, err := s.store.ProposeEncoded(ctx, fsmpb.CommandType_COMMAND_TYPE_PUBLISH, payload)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		return nil, err
	}
	results, _ := res.Value.([]fsm.PublishItemResult)
	return results, nil
}

type publishForwarderSetter interface {
	SetPublishForwarder(cluster.PublishForwarder)
}

// handleInternalPublish is POST /internal/v1/publish (admin token: every
// node holds it; on HTTPS with cluster mutual TLS, a verified cluster
// certificate is required too).
func (s *Server) handleInternalPublish(w http.ResponseWriter, r *http.Request) {
	if s.cfg.RequirePeerCert && !hasPeerCert(r) {
		s.writeError(w, r, &apiError{status: 403, code: codeForbidden, msg: "only cluster members (with a cluster certificate) may forward batches"})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, protobufType) {
		s.writeError(w, r, &apiError{status: 415, code: codeUnsupported, msg: "send " + protobufType})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, internalBodyLimit))
	if err != nil {
		s.writeError(w, r, &apiError{status: 413, code: codeTooLarge, msg: "forwarded batch too large"})
		return
	}
	// The batch goes into the log as it came: it must decode as Apply
	// will decode it, or it would stop every node at that entry.
	split, err := fsm.SplitPublishPayload(body)
	if err != nil {
		s.writeError(w, r, badRequest("malformed forwarded batch"))
		return
	}
	if !s.store.IsLeader() {
		s.writeError(w, r, &apiError{status: 503, code: codeNoLeader, msg: "not the leader", retryAfter: 1})
		return
	}
	items, err := s.commitRelayed(r.Context(), body, split)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(items) != len(split) {
		s.writeError(w, r, errInternalResult)
		return
	}
	out := &internalpb.PublishResults{Results: make([]*internalpb.PublishResult, len(items))}
	for i, it := range items {
		pr := &internalpb.PublishResult{SubmissionId: it.SubmissionID, Inserted: uint32(it.Inserted), Seq: it.Seq, Replayed: it.Replayed}
		if it.Err != nil {
			ae := toAPIError(it.Err)
			pr.ErrorStatus, pr.ErrorCode, pr.ErrorMessage = uint32(ae.status), ae.code, ae.msg
		} else {
			s.metrics.published.Add(float64(it.Inserted))
		}
		out.Results[i] = pr
	}
	b, err := proto.Marshal(out)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", protobufType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// forwardPublish is this node's cluster.PublishForwarder.
func (s *Server) forwardPublish(ctx context.Context, leaderID string, payload []byte) ([]fsm.PublishItemResult, error) {
	if s.cfg.Peers == nil {
		return nil, cluster.ErrNoLeader
	}
	base, ok := s.cfg.Peers.HTTPURL(leaderID)
	if !ok {
		return nil, cluster.ErrNoLeader
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+internalPublishPath, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", protobufType)
	req.Header.Set("Authorization", "Bearer "+s.cfg.InternalToken)
	s.markPeer(req)
	resp, err := s.fwd.Do(req)
	if err != nil {
		return nil, fmt.Errorf("forward batch to %s: %w", leaderID, cluster.ErrLeadershipLost)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, internalBodyLimit))
	if err != nil {
		return nil, fmt.Errorf("read leader answer: %w", cluster.ErrLeadershipLost)
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusServiceUnavailable {
			return nil, cluster.ErrNoLeader
		}
		return nil, fmt.Errorf("leader answered %s to a forwarded batch", resp.Status)
	}
	var out internalpb.PublishResults
	if err := proto.Unmarshal(rb, &out); err != nil {
		return nil, fmt.Errorf("decode leader answer: %w", err)
	}
	return resultsFromLeader(&out), nil
}

// resultsFromLeader turns the leader's answer to a forwarded batch into
// one result per upload. An upload's refusal keeps the leader's status,
// code and message; a 503 (a leader change under the upload) also says
// when to retry, as every 503 does (spec §2).
func resultsFromLeader(out *internalpb.PublishResults) []fsm.PublishItemResult {
	res := make([]fsm.PublishItemResult, len(out.Results))
	for i, pr := range out.Results {
		res[i] = fsm.PublishItemResult{SubmissionID: pr.SubmissionId, Inserted: int(pr.Inserted), Seq: pr.Seq, Replayed: pr.Replayed}
		if pr.ErrorCode != "" {
			ae := &apiError{status: int(pr.ErrorStatus), code: pr.ErrorCode, msg: pr.ErrorMessage}
			if ae.status == http.StatusServiceUnavailable {
				ae.retryAfter = 1
			}
			res[i].Err = ae
		}
	}
	return res
}
