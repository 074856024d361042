// Package tek holds the data model shared by every part of tekstore: a GAEN
// Temporary Exposure Key, its report type, and the ENIntervalNumber arithmetic
// used by validation, retention and the export files. It has no dependencies
// beyond the standard library so that fsm/, gaen/ and transport/ can all use it.
package tek
