package storetest

import "testing"

// Run runs the conformance suite. open is called once per subtest (at least)
// and must return a new, empty store each time.
func Run(t *testing.T, open Opener) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Append", testAppend},
		{"Load", testLoad},
		{"LoadNext", testLoadNext},
		{"LoadPrev", testLoadPrev},
		{"LoadLast", testLoadLast},
		{"SubjectsState", testSubjectsState},
		{"FilteredState", testFilteredState},
		{"Delete", testDelete},
		{"Purge", testPurge},
		{"Compact", testCompact},
		{"Truncate", testTruncate},
		{"Limits", testLimits},
		{"UpdateConfig", testUpdateConfig},
		{"Expire", testExpire},
		{"Hold", testHold},
		{"Waiter", testWaiter},
		{"Consumer", testConsumer},
		{"Closed", testClosed},
		{"Concurrent", testConcurrent},
		{"Model", testModel},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open) })
	}
}
