package journal

import "io"

// damaged handles damage at the current position: the torn tail of the last
// segment ends the journal (io.EOF), anything else is corruption. It returns
// nil when reading should go on.
func (r *Reader) damaged(index uint64, cause error) error {
	origin := r.seg.off
	if !r.final {
		newer, err := r.newerExists()
		if err != nil {
			return r.fail(err)
		}
		if newer {
			r.final = true // the segment is complete now: read the spot again
			return nil
		}
		if r.recheckAt != origin {
			return r.tailOrRecheck(origin)
		}
	}
	r.recheckAt = -1
	if !r.opts.SkipCorrupt {
		r.err = &CorruptError{Segment: r.seg.path, Offset: origin, Index: index, LastGood: r.lastGood, Err: cause}
		return r.err
	}
	resume, found, err := r.seg.resync(r.lastGood)
	if err != nil {
		return r.fail(err)
	}
	return r.skip(origin, cause, resume, found)
}

// tailOrRecheck decides about damage in the last segment at origin. With no
// intact record after it, it is the torn tail: io.EOF, and the next call
// looks again. With one, the spot is read a second time before it counts as
// corruption: a record being written during the first read is complete now,
// because the writer finishes a record before it starts the next.
func (r *Reader) tailOrRecheck(origin int64) error {
	_, found, err := r.seg.resync(r.lastGood)
	if err != nil {
		return r.fail(err)
	}
	if err := r.seg.seek(origin); err != nil {
		return r.fail(err)
	}
	if found {
		r.recheckAt = origin
		return nil
	}
	size, err := r.seg.size()
	if err != nil {
		return r.fail(err)
	}
	r.tornTail = size - origin
	return io.EOF
}

// skip records a damaged region starting at origin and moves past it: to
// the intact record resync found, or to the next segment.
func (r *Reader) skip(origin int64, cause error, resume uint64, found bool) error {
	s := Skip{Segment: r.seg.path, Offset: origin, AfterIndex: r.lastGood, Err: cause}
	r.headerRead, r.sawHeader, r.damagedSinceGood = true, true, true
	if found {
		s.Bytes, s.ResumeIndex = r.seg.off-origin, resume
		r.skips = append(r.skips, s)
		return nil
	}
	size, err := r.seg.size()
	if err != nil {
		return r.fail(err)
	}
	s.Bytes = size - origin
	r.skips = append(r.skips, s)
	r.pending = len(r.skips) - 1
	if err := r.closeSegment(); err != nil {
		return r.fail(err)
	}
	return nil
}

// segmentStart checks that a segment continues where the previous one
// ended. The first segment read sets where the journal starts.
func (r *Reader) segmentStart(prev uint64) error {
	first := !r.sawHeader
	r.sawHeader = true
	if first {
		r.prunedThrough = prev
	}
	if !first && prev != r.lastGood && !r.damagedSinceGood {
		ce := &CorruptError{Segment: r.seg.path, Index: prev, LastGood: r.lastGood, Err: ErrSegmentGap}
		if !r.opts.SkipCorrupt {
			r.err = ce
			return ce
		}
		r.skips = append(r.skips, Skip{Segment: r.seg.path, AfterIndex: r.lastGood, Err: ErrSegmentGap})
		r.pending = len(r.skips) - 1
		r.damagedSinceGood = true
	}
	r.lastGood = max(r.lastGood, prev)
	return nil
}
