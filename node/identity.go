package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// identityFile records who a data directory belongs to, so that restarts,
// `tekstore recover` and `tekstore restore` know the node's id and address.
const identityFile = "node.json"

// Identity is the persisted identity of a node.
type Identity struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raftAddr"`
	HTTPURL  string `json:"httpUrl"`
	DC       string `json:"dc"`
}

// LoadIdentity reads DIR/node.json; os.ErrNotExist when the directory is new.
func LoadIdentity(dir string) (Identity, error) {
	var id Identity
	b, err := os.ReadFile(filepath.Join(dir, identityFile))
	if err != nil {
		return id, err
	}
	if err := json.Unmarshal(b, &id); err != nil {
		return id, fmt.Errorf("read %s: %w", identityFile, err)
	}
	return id, nil
}

func saveIdentity(dir string, id Identity) error {
	b, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, identityFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write identity: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, identityFile))
}

// checkIdentity refuses to start a data directory under another node id.
func checkIdentity(dir string, want Identity) error {
	have, err := LoadIdentity(dir)
	if errors.Is(err, os.ErrNotExist) {
		return saveIdentity(dir, want)
	}
	if err != nil {
		return err
	}
	if have.ID != want.ID {
		return fmt.Errorf("data directory %s belongs to node %q, not %q", dir, have.ID, want.ID)
	}
	return saveIdentity(dir, want)
}
