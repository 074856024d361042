package history

import (
	"fmt"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// LinearizabilityOptions tune CheckLinearizable.
type LinearizabilityOptions struct {
	// Timeout bounds the search; 0 means no limit. When it expires the
	// check fails with ErrCheckInconclusive.
	Timeout time.Duration
	// VisualizationPath, when set, is where porcupine's HTML visualisation
	// of the failing partitions is written if the check fails.
	VisualizationPath string
}

// CheckLinearizable checks the history against Model with porcupine (see
// the package documentation for the exact property). It returns nil, an
// error wrapping ErrNotLinearizable that names up to maxListed failing keys
// and the visualisation path, or one wrapping ErrCheckInconclusive.
func CheckLinearizable(ops []Op, opts LinearizabilityOptions) error {
	hist, err := PorcupineOperations(ops)
	if err != nil {
		return err
	}
	start := time.Now()
	switch porcupine.CheckOperationsTimeout(Model(), hist, opts.Timeout) {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("%w after %v (%d operations)", ErrCheckInconclusive, opts.Timeout, len(hist))
	}

	remaining := time.Duration(0)
	if opts.Timeout > 0 {
		remaining = max(opts.Timeout-time.Since(start), time.Second)
	}
	failing := failingPartitions(partitionByKey(hist), remaining)
	var keys []string
	var drawn []porcupine.Operation
	for _, part := range failing {
		keys = append(keys, part[0].Input.(keyInput).key.String())
		drawn = append(drawn, part...)
	}
	msg := fmt.Sprintf("%d operations; failing keys: %s", len(hist), strings.Join(keys, ", "))
	if len(failing) == 0 {
		msg = fmt.Sprintf("%d operations", len(hist))
	}
	if opts.VisualizationPath == "" {
		return fmt.Errorf("%w: %s", ErrNotLinearizable, msg)
	}
	if len(drawn) == 0 { // the per-partition re-check ran out of time: draw everything
		drawn = projectAll(hist)
	}
	_, info := porcupine.CheckOperationsVerbose(partModel(), drawn, remaining)
	if err := porcupine.VisualizePath(partModel(), info, opts.VisualizationPath); err != nil {
		return fmt.Errorf("%w: %s (writing visualisation %s: %v)", ErrNotLinearizable, msg, opts.VisualizationPath, err)
	}
	return fmt.Errorf("%w: %s; visualisation: %s", ErrNotLinearizable, msg, opts.VisualizationPath)
}

// failingPartitions re-checks partitions one by one and returns up to
// maxListed that are not linearizable.
func failingPartitions(parts [][]porcupine.Operation, timeout time.Duration) [][]porcupine.Operation {
	m := partModel()
	var failing [][]porcupine.Operation
	for _, part := range parts {
		if porcupine.CheckOperationsTimeout(m, part, timeout) == porcupine.Illegal {
			failing = append(failing, part)
			if len(failing) == maxListed {
				break
			}
		}
	}
	return failing
}

// projectAll flattens every partition of hist.
func projectAll(hist []porcupine.Operation) []porcupine.Operation {
	var all []porcupine.Operation
	for _, part := range partitionByKey(hist) {
		all = append(all, part...)
	}
	return all
}
