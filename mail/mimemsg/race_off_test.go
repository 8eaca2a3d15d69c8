//go:build !race

package mimemsg

const raceDetector = false
