//go:build race

package edxml

const raceDetector = true
