// Package freeport hands out loopback addresses for nodes that a test or a
// local benchmark starts in another process, where port 0 cannot be used
// because the port must be known before the process binds it.
//
// A port handed out is never handed out again by the same process, is
// chosen below the kernel's ephemeral range (so no outgoing connection of
// any process takes it between the check and the bind), is free for TCP and
// UDP (memberlist binds both), and is held by an advisory lock file for the
// life of the process, so two test processes running in parallel never pick
// the same one.
package freeport

import (
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// lowest is the first port considered: below it sit well-known services.
const lowest = 20000

// attempts bounds the search for one port.
const attempts = 500

var (
	mu     sync.Mutex
	given  = map[int]bool{}
	locks  []*os.File // held open (and locked) until the process exits
	ephLow = ephemeralLow()
)

// ephemeralLow reads the first port of the kernel's ephemeral range
// (Linux: /proc/sys/net/ipv4/ip_local_port_range), 32768 if unknown.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 32768
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= lowest+1000 {
		return 32768
	}
	return n
}

// Addr returns "127.0.0.1:PORT" with a port that is free for TCP and UDP
// right now and was never returned before in this process.
func Addr() (string, error) {
	p, err := Port()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), nil
}

// Port is Addr's port number.
func Port() (int, error) {
	mu.Lock()
	defer mu.Unlock()
	span := ephLow - lowest
	for range attempts {
		p := lowest + rand.IntN(span)
		if given[p] {
			continue
		}
		lock, ok := lockPort(p)
		if !ok {
			continue
		}
		if !bindable(p) {
			lock.Close()
			continue
		}
		given[p] = true
		locks = append(locks, lock)
		return p, nil
	}
	return 0, errors.New("freeport: no free loopback port found")
}

// Ports returns n distinct ports as Port does.
func Ports(n int) ([]int, error) {
	out := make([]int, n)
	for i := range out {
		p, err := Port()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// bindable reports whether p can be bound on 127.0.0.1 for TCP and UDP.
func bindable(p int) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	pc.Close()
	return true
}
