package main

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/tekstore/tekstore/server"
)

// decodeGossipKey reads --gossip-key: base64 (standard or URL alphabet) of
// exactly 32 bytes; empty means unencrypted gossip.
func decodeGossipKey(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			if len(b) != server.GossipKeySize {
				return nil, fmt.Errorf("--gossip-key: %w (got %d bytes)", server.ErrGossipKey, len(b))
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("--gossip-key: not base64: %w", server.ErrGossipKey)
}
