package bench

import (
	"image/color"

	"github.com/abci-ics/ics/app/bench/plot"
)

// Series colours of Chart, also what a test looks for in its image.
var (
	BlockColor = color.RGBA{31, 119, 180, 255}
	P99Color   = color.RGBA{214, 39, 40, 255}
)

// Chart plots the block time (FinalizeBlock plus Commit, ms) of each block
// over height and, as a second series, the p99 of each window of window
// blocks, drawn flat across the window (one window of the whole run when
// window < 1). The blocks are drawn over the p99 line.
func Chart(title string, stats []BlockStat, window int) plot.Chart {
	blocks := plot.Series{Name: "block time", Color: BlockColor, Style: plot.Line}
	if len(stats) <= 300 {
		blocks.Style, blocks.Size = plot.Dots, 4
	}
	for _, s := range stats {
		blocks.X = append(blocks.X, float64(s.Height))
		blocks.Y = append(blocks.Y, Millis(s.Time))
	}
	if window < 1 {
		window = max(1, len(stats))
	}
	p99 := plot.Series{Name: "window p99", Color: P99Color, Style: plot.Line, Size: 2}
	for _, w := range split(stats, window) {
		y := Millis(w.P99)
		p99.X = append(p99.X, float64(w.From), float64(w.To))
		p99.Y = append(p99.Y, y, y)
	}
	return plot.Chart{Title: title, XLabel: "height", YLabel: "block time (ms)", Series: []plot.Series{p99, blocks}}
}
