package server

import (
	"encoding/json"
	"fmt"
	"runtime/debug"

	"github.com/hashicorp/memberlist"
)

// gossipMeta is the metadata every node spreads through gossip. It stays
// well under memberlist's 512-byte limit.
type gossipMeta struct {
	ID       string `json:"id"`
	DC       string `json:"dc"`
	HTTPURL  string `json:"httpURL"`
	RaftAddr string `json:"raftAddr"`
	Version  string `json:"version"`
	NonVoter bool   `json:"nonVoter,omitempty"`
	// FeatureLevel is the highest cluster feature level this node reads
	// (fsm.MaxFeatureLevel); nodes of v0.1.0 send none.
	FeatureLevel uint32 `json:"fl,omitempty"`
}

// encode returns the JSON form, refusing metadata over memberlist's limit.
func (m gossipMeta) encode() ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode gossip metadata: %w", err)
	}
	if len(b) > memberlist.MetaMaxSize {
		return nil, fmt.Errorf("gossip metadata is %d bytes, over the %d-byte limit (shorten the id or URLs)", len(b), memberlist.MetaMaxSize)
	}
	return b, nil
}

func decodeMeta(b []byte) (gossipMeta, error) {
	var m gossipMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("decode gossip metadata: %w", err)
	}
	return m, nil
}

// buildVersion is the module version of the running binary ("dev" for
// local builds).
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
