package transport

import (
	"sync"
	"sync/atomic"
	"time"
)

// aLongTimeAgo is a read deadline in the past: it makes a blocked Read
// return at once with a timeout (the wake-up of a parked waiter).
var aLongTimeAgo = time.Unix(1, 0)

// parkingLot holds the long polls parked outside net/http (see
// Server.Listener). Each waiter has one small goroutine, blocked reading
// its connection with the wait deadline as read deadline; the lot's
// watcher wakes them all at each applied change by moving their read
// deadline to the past.
type parkingLot struct {
	s *Server
	// gen counts broadcasts; a waiter that saw it unchanged after setting
	// its read deadline is sure to be woken by the next one.
	gen atomic.Uint64
	// wakeups counts the waiters woken by broadcasts.
	wakeups atomic.Uint64
	done    chan struct{}
	wg      sync.WaitGroup

	mu     sync.Mutex
	closed bool
	head   *waiter // the waiters, parked or answering (a list: O(1) in and out)
	n      int
}

func newParkingLot(s *Server) *parkingLot {
	l := &parkingLot{s: s, done: make(chan struct{})}
	l.wg.Add(1)
	go l.watch()
	return l
}

// watch wakes the waiters at each applied change until the lot closes.
func (l *parkingLot) watch() {
	defer l.wg.Done()
	ch := l.s.store.Changed()
	for {
		select {
		case <-ch:
		case <-l.done:
			return
		}
		// Taken before the broadcast, so a change during it is not missed.
		ch = l.s.store.Changed()
		l.broadcast()
	}
}

// broadcast wakes the parked waiters that read their connection (quiet
// waiters watch the node's channel themselves) and may now have something
// to answer: those whose since is older than the public set's last change
// (fsm.State.LastChangeSeq) or not below the index (a reset). A command
// that leaves the public set alone (codes issued, a tick) wakes none.
func (l *parkingLot) broadcast() {
	st := l.s.state
	last, index := st.LastChangeSeq(), st.Index()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen.Add(1)
	for w := l.head; w != nil; w = w.next {
		if !w.answering && w.raw != nil && (w.since < last || w.since == 0 || w.since > index) {
			l.wakeups.Add(1)
			_ = w.raw.SetReadDeadline(aLongTimeAgo)
		}
	}
}

// add registers a waiter and starts its goroutine; it reports false when
// the lot is closed.
func (l *parkingLot) add(w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	w.next = l.head
	if l.head != nil {
		l.head.prev = w
	}
	l.head = w
	l.n++
	l.wg.Add(1)
	go w.run()
	return true
}

// answering marks a waiter as being answered: no more wake-ups, whose
// read deadline would reach the connection after it went back to net/http.
// It reports whether the lot is closing (the answer then closes the
// connection).
func (l *parkingLot) answering(w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w.answering = true
	return l.closed
}

// remove unregisters a finished waiter.
func (l *parkingLot) remove(w *waiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
	l.n--
}

// isClosed reports whether the lot no longer takes waiters.
func (l *parkingLot) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// close closes every waiter's connection (parked or being answered), stops
// the watcher and waits for all their goroutines.
func (l *parkingLot) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	close(l.done)
	for w := l.head; w != nil; w = w.next {
		_ = w.conn.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}
