//go:build race

package mimemsg

// raceDetector: the race detector slows the byte loops of the decoders
// about tenfold; the 50 MB memory trial then runs at 8 MB here (the bound
// checked is the same) and at full size in the plain run.
const raceDetector = true
