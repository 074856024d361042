package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"
)

// parseNodeFlags registers the node flags on a fresh set and parses args.
func parseNodeFlags(t *testing.T, args ...string) *nodeFlags {
	t.Helper()
	f := &nodeFlags{}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNodeFlagsOptions(t *testing.T) {
	dir := t.TempDir()
	tokFile := writeFile(t, dir, "admin", "tka_secret\n")
	key, err := devSigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeFile(t, dir, "key.pem", string(key))
	f := parseNodeFlags(t, "--id", "n2", "--data", dir, "--http", "127.0.0.1:9000", "--http-advertise", "https://n2.example/",
		"--raft", "127.0.0.1:9001", "--gossip", "127.0.0.1:9002", "--dc", "ams", "--join", "http://a:1,http://b:2", "--nonvoter",
		"--admin-token-file", tokFile, "--signing-key", keyFile, "--signing-key-id", "204", "--signing-key-version", "v2",
		"--region", "NL", "--heartbeat-timeout", "2s", "--election-timeout", "3s", "--leader-lease-timeout", "1s",
		"--commit-timeout", "10ms", "--max-append-entries", "64", "--snapshot-threshold", "100", "--snapshot-interval", "30s",
		"--trailing-logs", "50", "--retention", "240h", "--checkpoint-interval", "1m", "--export-min-keys", "20")
	o, err := f.options(zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ID", o.ID, "n2"}, {"DataDir", o.DataDir, dir}, {"DC", o.DC, "ams"}, {"HTTPAddr", o.HTTPAddr, "127.0.0.1:9000"},
		{"HTTPAdvertise", o.HTTPAdvertise, "https://n2.example"}, {"RaftAddr", o.RaftAddr, "127.0.0.1:9001"},
		{"GossipAddr", o.GossipAddr, "127.0.0.1:9002"}, {"Join", strings.Join(o.Join, " "), "http://a:1 http://b:2"},
		{"NonVoter", o.NonVoter, true}, {"Bootstrap", o.Bootstrap, false}, {"AdminToken", o.AdminToken, "tka_secret"},
		{"SigningKeyPEM", string(o.SigningKeyPEM), string(key)}, {"SigningKeyID", o.SigningKeyID, "204"},
		{"SigningKeyVersion", o.SigningKeyVersion, "v2"}, {"Region", o.Region, "NL"},
		{"HeartbeatTimeout", o.Node.HeartbeatTimeout, 2 * time.Second}, {"ElectionTimeout", o.Node.ElectionTimeout, 3 * time.Second},
		{"LeaderLeaseTimeout", o.Node.LeaderLeaseTimeout, time.Second}, {"CommitTimeout", o.Node.CommitTimeout, 10 * time.Millisecond},
		{"MaxAppendEntries", o.Node.MaxAppendEntries, 64}, {"SnapshotThreshold", o.Node.SnapshotThreshold, uint64(100)},
		{"SnapshotInterval", o.Node.SnapshotInterval, 30 * time.Second}, {"TrailingLogs", o.Node.TrailingLogs, uint64(50)},
		{"Retention", o.Node.Retention, 240 * time.Hour}, {"CheckpointInterval", o.Node.CheckpointInterval, time.Minute},
		{"ExportMinKeys", o.Node.ExportMinKeys, 20}, {"HTTPTLS", o.HTTPTLS == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestNodeFlagsErrors(t *testing.T) {
	dir := t.TempDir()
	tok := writeFile(t, dir, "admin", "tka_x")
	empty := writeFile(t, dir, "empty", "\n")
	badKey := writeFile(t, dir, "bad.pem", "not pem")
	t.Setenv(envAdminToken, "")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no data", []string{"--id", "n1", "--raft", "127.0.0.1:1", "--admin-token-file", tok}, "--data is required"},
		{"no id", []string{"--data", t.TempDir(), "--raft", "127.0.0.1:1", "--admin-token-file", tok}, "--id is required"},
		{"no raft", []string{"--data", t.TempDir(), "--id", "n1", "--admin-token-file", tok}, "--raft is required"},
		{"no token", []string{"--data", t.TempDir(), "--id", "n1", "--raft", "127.0.0.1:1"}, "no admin token"},
		{"empty token", []string{"--data", t.TempDir(), "--id", "n1", "--raft", "127.0.0.1:1", "--admin-token-file", empty}, "is empty"},
		{"bootstrap and join", []string{"--data", t.TempDir(), "--id", "n1", "--raft", "127.0.0.1:1", "--admin-token-file", tok,
			"--bootstrap", "--join", "http://x"}, "exclude each other"},
		{"bad key", []string{"--data", t.TempDir(), "--id", "n1", "--raft", "127.0.0.1:1", "--admin-token-file", tok,
			"--signing-key", badKey}, "want a PEM"},
		{"half tls", []string{"--data", t.TempDir(), "--id", "n1", "--raft", "127.0.0.1:1", "--admin-token-file", tok,
			"--tls-cert", tok}, "go together"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseNodeFlags(t, tc.args...).options(zerolog.Nop())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestNodeFlagsFromEnvAndIdentity: a restarting node needs only --data and
// the token may come from the environment.
func TestNodeFlagsFromEnvAndIdentity(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "node.json", `{"id":"n7","raftAddr":"127.0.0.1:7007","httpUrl":"http://x","dc":"rtm"}`)
	t.Setenv(envAdminToken, " tka_env ")
	o, err := parseNodeFlags(t, "--data", dir).options(zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "n7" || o.RaftAddr != "127.0.0.1:7007" || o.DC != "rtm" || o.AdminToken != "tka_env" {
		t.Errorf("options = id %q raft %q dc %q token %q", o.ID, o.RaftAddr, o.DC, o.AdminToken)
	}
}
