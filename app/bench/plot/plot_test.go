package plot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"testing"
)

var (
	blue = color.RGBA{0, 0, 255, 255}
	red  = color.RGBA{255, 0, 0, 255}
)

func countColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == c {
				n++
			}
		}
	}
	return n
}

// TestWritePNG: the chart decodes as a PNG of the asked size, each series
// is drawn in its colour, and a series of dots covers its points.
func TestWritePNG(t *testing.T) {
	var xs, ys, p99 []float64
	for i := range 500 {
		xs = append(xs, float64(i+2))
		ys = append(ys, 100+30*math.Sin(float64(i)/20))
		p99 = append(p99, 140)
	}
	c := Chart{
		Title: "block time", XLabel: "height", YLabel: "ms", Width: 800, Height: 400,
		Series: []Series{{Name: "block", Color: blue, Style: Dots, X: xs, Y: ys}, {Name: "p99", Color: red, Size: 2, X: xs, Y: p99}},
	}
	var buf bytes.Buffer
	if err := c.WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 400 {
		t.Fatalf("image %v, want 800x400", b)
	}
	// A horizontal line 2 pixels thick across most of the plot area.
	if n := countColor(img, red); n < 2*(800-marginLeft-marginRight)*3/4 {
		t.Errorf("p99 line: %d red pixels", n)
	}
	if n := countColor(img, blue); n < 500 {
		t.Errorf("block dots: %d blue pixels", n)
	}
	// Text and axes are black.
	if n := countColor(img, color.RGBA{0, 0, 0, 255}); n < 500 {
		t.Errorf("%d black pixels: no axes or labels", n)
	}
}

// TestDegenerateCharts: charts without data, with one point, or with
// values that are not finite still draw.
func TestDegenerateCharts(t *testing.T) {
	for name, c := range map[string]Chart{
		"empty":     {},
		"no points": {Series: []Series{{Name: "a", Color: blue}}},
		"one point": {Series: []Series{{Name: "a", Color: blue, X: []float64{3}, Y: []float64{7}}}},
		"nan":       {Series: []Series{{Name: "a", Color: blue, X: []float64{1, 2, 3}, Y: []float64{1, math.NaN(), math.Inf(1)}}}},
		"tiny":      {Width: 20, Height: 20, Series: []Series{{Name: "a", Color: blue, X: []float64{1, 2}, Y: []float64{1, 2}}}},
		"negative":  {Series: []Series{{Name: "a", Color: blue, X: []float64{1, 2}, Y: []float64{-5, 2}}}},
	} {
		img := c.Image()
		if img.Bounds().Dx() == 0 {
			t.Errorf("%s: empty image", name)
		}
		if name == "one point" && countColor(img, blue) == 0 {
			t.Errorf("%s: point not drawn", name)
		}
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 213, 5, []float64{0, 50, 100, 150, 200, 250}},
		{2, 301, 10, []float64{0, 50, 100, 150, 200, 250, 300, 350}},
		{0, 1, 4, []float64{0, 0.5, 1}},
		{0, 1, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 1000, 10, []float64{0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}},
		{5, 5, 4, []float64{5, 6}},
		{-30, 20, 5, []float64{-30, -20, -10, 0, 10, 20}},
	} {
		got := Ticks(tc.lo, tc.hi, tc.n)
		if len(got) != len(tc.want) {
			t.Errorf("Ticks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-9 {
				t.Errorf("Ticks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
				break
			}
		}
	}
}

func TestTickLabel(t *testing.T) {
	ticks := Ticks(0, 1, 5)
	var labels []string
	for _, v := range ticks {
		labels = append(labels, TickLabel(v, ticks))
	}
	if want := []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}; !slices.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
	if got := TickLabel(250, []float64{0, 50}); got != "250" {
		t.Errorf("label %q, want 250", got)
	}
}
