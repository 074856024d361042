package clustertests

import (
	"fmt"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/server"
	"github.com/tekstore/tekstore/transport"
)

func TestScratchForwardLimits(t *testing.T) {
	limits := transport.Limits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	base := t.TempDir()
	var nodes []*server.Server
	for i := 1; i <= 2; i++ {
		var join []string
		if i > 1 {
			join = []string{nodes[0].URL()}
		}
		s, err := server.Start(server.Options{ID: fmt.Sprintf("n%d", i), DataDir: filepath.Join(base, fmt.Sprint(i)), HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", GossipAddr: "127.0.0.1:0",
			Bootstrap: i == 1, Join: join, AdminToken: secAdminToken, Limits: limits, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		nodes = append(nodes, s)
		if i == 1 {
			nodes[0].Node().WaitForLeader(10 * time.Second)
		}
	}
	for nodes[1].Node().AppliedIndex() < nodes[0].Node().AppliedIndex() || nodes[1].Node().AppliedIndex() < 3 {
		time.Sleep(100 * time.Millisecond)
	}
	p := secAddProvider(t, nodes[0].URL(), "x", 30)
	secWaitApplied(t, nodes, nodes[0].Node().AppliedIndex())
	count := map[int]int{}
	for i := 0; i < 30; i++ {
		r := secCall(t, http.DefaultClient, "POST", nodes[1].URL()+"/v1/publish", "", http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i+1)}},
			map[string]any{"code": p.codes[i], "keys": secKeys(t, 1)}, nil)
		count[r.status]++
	}
	t.Logf("30 publishes from 30 addresses via a follower: %v", count)
}
