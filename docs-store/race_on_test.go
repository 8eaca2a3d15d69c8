//go:build race

package docstore

// raceDetector: the race detector slows SQLite (pure Go) about 20 times;
// the big concurrency trial then runs smaller here and at full size in the
// plain run of scripts/test.sh.
const raceDetector = true
