//go:build !race

package maildemo

const raceEnabled = false
