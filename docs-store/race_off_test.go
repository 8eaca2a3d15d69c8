//go:build !race

package docstore

const raceDetector = false
