package node

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/hashicorp/raft"
)

// streamLayer is raft's network stream layer over TCP, optionally wrapped in
// mutual TLS and with a replaceable dialer.
type streamLayer struct {
	net.Listener
	advertise net.Addr
	tls       *tls.Config
	dial      func(address string, timeout time.Duration) (net.Conn, error)
}

var _ raft.StreamLayer = (*streamLayer)(nil)

func newStreamLayer(bind, advertise string, tlsCfg *tls.Config, dial func(string, time.Duration) (net.Conn, error)) (*streamLayer, error) {
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, fmt.Errorf("listen for raft on %s: %w", bind, err)
	}
	var adv net.Addr = ln.Addr()
	if advertise != "" {
		a, err := net.ResolveTCPAddr("tcp", advertise)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("resolve raft advertise address %s: %w", advertise, err)
		}
		adv = a
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	return &streamLayer{Listener: ln, advertise: adv, tls: tlsCfg, dial: dial}, nil
}

// Addr returns the advertised address.
func (s *streamLayer) Addr() net.Addr { return s.advertise }

// Dial opens a connection to a peer's raft address.
func (s *streamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	dial := s.dial
	if dial == nil {
		dial = func(a string, t time.Duration) (net.Conn, error) { return net.DialTimeout("tcp", a, t) }
	}
	conn, err := dial(string(address), timeout)
	if err != nil {
		return nil, err
	}
	if s.tls == nil {
		return conn, nil
	}
	tc := tls.Client(conn, s.tls)
	_ = tc.SetDeadline(time.Now().Add(timeout))
	if err := tc.Handshake(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("tls handshake with %s: %w", address, err)
	}
	_ = tc.SetDeadline(time.Time{})
	return tc, nil
}
