package refdata

// Reference is an evaluation reference: the main frame set and a second, independent draw
// from the same distribution (another seed), used for the metrics' floor.
type Reference struct {
	// Name identifies the data (e.g. the file names).
	Name string
	// Main holds the reference frames in time order.
	Main []Frame
	// Independent holds the frames of an independent run (may be empty: no floor).
	Independent []Frame
}
