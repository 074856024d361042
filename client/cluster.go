package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// ClusterNode is one member as GET /v1/cluster shows it.
type ClusterNode struct {
	ID           string `json:"id"`
	DC           string `json:"dc"`
	HTTPAddr     string `json:"httpAddr"`
	RaftAddr     string `json:"raftAddr"`
	State        string `json:"state"`
	Voter        bool   `json:"voter"`
	Alive        bool   `json:"alive"`
	AppliedIndex uint64 `json:"appliedIndex"`
	// LastContact is the time since the leader last heard from the node,
	// as the server writes it (text or number).
	LastContact Scalar `json:"lastContact"`
}

// Cluster is the answer of GET /v1/cluster.
type Cluster struct {
	Leader string        `json:"leader"`
	Nodes  []ClusterNode `json:"nodes"`
	Meta   Meta          `json:"-"`
}

// NodeSpec is the body of POST /v1/cluster/nodes.
type NodeSpec struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raftAddr"`
	HTTPAddr string `json:"httpAddr"`
	Voter    bool   `json:"voter"`
}

// Ack is the answer of a change whose body callers rarely need.
type Ack struct {
	// Body is the raw JSON answer.
	Body json.RawMessage
	Meta Meta
}

// Scalar holds a JSON string or number as text ("" for null or absent).
type Scalar string

// UnmarshalJSON accepts a string, a number or null.
func (s *Scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Scalar(v)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*s = Scalar(n.String())
	}
	return nil
}

// Cluster returns the members and the leader (admin).
func (c *Client) Cluster(ctx context.Context, opts ...ReadOption) (Cluster, error) {
	r := request{method: http.MethodGet, path: "/v1/cluster"}
	r.apply(opts)
	var out Cluster
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}

// JoinNode adds a node to the cluster (admin; the request reaches the leader).
func (c *Client) JoinNode(ctx context.Context, spec NodeSpec) (Ack, error) {
	return c.ack(ctx, request{method: http.MethodPost, path: "/v1/cluster/nodes", body: spec})
}

// RemoveNode removes a node from the cluster (admin).
func (c *Client) RemoveNode(ctx context.Context, id string) (Ack, error) {
	return c.ack(ctx, request{method: http.MethodDelete, path: "/v1/cluster/nodes/" + pathID(id)})
}

// maxAckBytes bounds the answer to a cluster change.
const maxAckBytes = 1 << 20

func (c *Client) ack(ctx context.Context, r request) (Ack, error) {
	b, meta, err := c.doBytes(ctx, r, maxAckBytes)
	if len(bytes.TrimSpace(b)) == 0 {
		b = nil
	}
	return Ack{Body: b, Meta: meta}, err
}
