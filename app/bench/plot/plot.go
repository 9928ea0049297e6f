// Package plot draws simple x/y charts as PNG images with the standard
// library's image packages: a title, axes with tick labels and grid lines,
// a legend, and each series as a polyline or as dots. It is enough to look
// at a benchmark's block times; it is not a plotting library.
package plot

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Style is how a series is drawn.
type Style int

const (
	// Line joins consecutive points.
	Line Style = iota
	// Dots marks each point with a square dot.
	Dots
)

// Series is one named set of points in one colour. X and Y have the same
// length; points that are NaN or infinite are skipped.
type Series struct {
	Name  string
	Color color.RGBA
	Style Style
	// Size is the line width or dot side in pixels; 0 means 1 for a line and
	// 3 for dots.
	Size int
	X, Y []float64
}

// Chart is a titled chart of series over shared axes. The X axis spans the
// data; the Y axis starts at zero unless a value is negative and ends on a
// tick at or above the data.
type Chart struct {
	Title          string
	XLabel, YLabel string
	// Width and Height are the image size; 0 means 960 by 480.
	Width, Height int
	// Series are drawn in order, each over those before it.
	Series []Series
}

// Colours of the frame; series bring their own.
var (
	background = color.RGBA{255, 255, 255, 255}
	ink        = color.RGBA{0, 0, 0, 255}
	grid       = color.RGBA{225, 225, 225, 255}
)

// Margins around the plot area, in pixels.
const (
	marginLeft   = 72
	marginRight  = 24
	marginTop    = 52
	marginBottom = 48
)

var face = basicfont.Face7x13

// WritePNG encodes the chart as a PNG image to w.
func (c Chart) WritePNG(w io.Writer) error {
	return png.Encode(w, c.Image())
}

// Image draws the chart.
func (c Chart) Image() *image.RGBA {
	width, height := c.Width, c.Height
	if width <= 0 {
		width = 960
	}
	if height <= 0 {
		height = 480
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	area := image.Rect(marginLeft, marginTop, width-marginRight, height-marginBottom)
	if area.Dx() < 10 || area.Dy() < 10 {
		return img
	}

	xmin, xmax, ymin, ymax := c.bounds()
	xt := Ticks(xmin, xmax, max(2, area.Dx()/90))
	yt := Ticks(math.Min(ymin, 0), ymax, max(2, area.Dy()/50))
	ymin, ymax = yt[0], math.Max(ymax, yt[len(yt)-1])
	px := func(x float64) int { return area.Min.X + int(math.Round((x-xmin)/(xmax-xmin)*float64(area.Dx()))) }
	py := func(y float64) int { return area.Max.Y - int(math.Round((y-ymin)/(ymax-ymin)*float64(area.Dy()))) }

	for _, t := range xt {
		if t < xmin || t > xmax {
			continue
		}
		x := px(t)
		vline(img, x, area.Min.Y, area.Max.Y, grid)
		vline(img, x, area.Max.Y, area.Max.Y+4, ink)
		label := TickLabel(t, xt)
		text(img, x-textWidth(label)/2, area.Max.Y+17, label)
	}
	for _, t := range yt {
		y := py(t)
		hline(img, area.Min.X, area.Max.X, y, grid)
		hline(img, area.Min.X-4, area.Min.X, y, ink)
		label := TickLabel(t, yt)
		text(img, area.Min.X-8-textWidth(label), y+4, label)
	}
	hline(img, area.Min.X, area.Max.X, area.Max.Y, ink)
	vline(img, area.Min.X, area.Min.Y, area.Max.Y, ink)

	clip := img.SubImage(area.Inset(-2)).(*image.RGBA)
	for _, s := range c.Series {
		drawSeries(clip, s, px, py)
	}

	text(img, (width-textWidth(c.Title))/2, 20, c.Title)
	text(img, area.Min.X+(area.Dx()-textWidth(c.XLabel))/2, height-10, c.XLabel)
	vtext(img, 6, area.Min.Y+(area.Dy()+textWidth(c.YLabel))/2, c.YLabel)
	c.legend(img, area)
	return img
}

// bounds returns the range of the finite points, or 0..1 on an axis
// without any (or with a single value, widened by one).
func (c Chart) bounds() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, s := range c.Series {
		for i := range min(len(s.X), len(s.Y)) {
			x, y := s.X[i], s.Y[i]
			if !finite(x) || !finite(y) {
				continue
			}
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
		}
	}
	widen := func(lo, hi float64) (float64, float64) {
		if lo > hi {
			return 0, 1
		}
		if lo == hi {
			return lo - 1, hi + 1
		}
		return lo, hi
	}
	xmin, xmax = widen(xmin, xmax)
	ymin, ymax = widen(ymin, ymax)
	return xmin, xmax, ymin, ymax
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// legend writes a row above the area's top right corner naming each series
// beside a swatch of its colour, so that it never hides data.
func (c Chart) legend(img *image.RGBA, area image.Rectangle) {
	x, y := area.Max.X, area.Min.Y-8
	for i := len(c.Series) - 1; i >= 0; i-- {
		s := c.Series[i]
		x -= textWidth(s.Name)
		text(img, x, y, s.Name)
		x -= 22
		draw.Draw(img, image.Rect(x, y-6, x+16, y-2), image.NewUniform(s.Color), image.Point{}, draw.Src)
		x -= 18
	}
}

// drawSeries plots s on img through the coordinate maps px and py.
func drawSeries(img *image.RGBA, s Series, px func(float64) int, py func(float64) int) {
	size := s.Size
	if size <= 0 {
		size = 1
		if s.Style == Dots {
			size = 3
		}
	}
	havePrev := false
	var prev image.Point
	for i := range min(len(s.X), len(s.Y)) {
		if !finite(s.X[i]) || !finite(s.Y[i]) {
			havePrev = false
			continue
		}
		p := image.Pt(px(s.X[i]), py(s.Y[i]))
		switch s.Style {
		case Dots:
			dot(img, p, size, s.Color)
		default:
			if havePrev {
				segment(img, prev, p, size, s.Color)
			} else {
				dot(img, p, size, s.Color)
			}
		}
		prev, havePrev = p, true
	}
}

// segment draws a line from a to b (Bresenham) with square pen size.
func segment(img *image.RGBA, a, b image.Point, size int, c color.RGBA) {
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := sign(b.X-a.X), sign(b.Y-a.Y)
	e := dx + dy
	for {
		dot(img, a, size, c)
		if a == b {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			a.X += sx
		} else {
			e += dx
			a.Y += sy
		}
	}
}

// dot fills the size by size square centred on p, within img's bounds.
func dot(img *image.RGBA, p image.Point, size int, c color.RGBA) {
	r := image.Rect(p.X-size/2, p.Y-size/2, p.X-size/2+size, p.Y-size/2+size).Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	for x := x0; x <= x1; x++ {
		img.SetRGBA(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	for y := y0; y <= y1; y++ {
		img.SetRGBA(x, y, c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// text draws s in black with its baseline starting at (x, y).
func text(img draw.Image, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// vtext draws s rotated a quarter turn anticlockwise, reading upwards from
// (x, y), with x the left edge of the glyphs' tops.
func vtext(img *image.RGBA, x, y int, s string) {
	if s == "" {
		return
	}
	w, h := textWidth(s), face.Height
	tmp := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(tmp, tmp.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	text(tmp, 0, face.Ascent, s)
	for ty := 0; ty < h; ty++ {
		for tx := 0; tx < w; tx++ {
			if c := tmp.RGBAAt(tx, ty); c != background {
				img.SetRGBA(x+ty, y-tx, c)
			}
		}
	}
}

func textWidth(s string) int { return font.MeasureString(face, s).Round() }

// Ticks returns evenly spaced round values (1, 2 or 5 times a power of ten
// apart) from the last one at or below lo to the first one at or above hi,
// about n intervals. It returns at least two values.
func Ticks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || !finite(lo) || !finite(hi) {
		return []float64{lo, lo + 1}
	}
	step := niceStep((hi - lo) / float64(max(n, 1)))
	first := math.Floor(lo/step+1e-9) * step
	var out []float64
	for i := 0; ; i++ {
		v := first + float64(i)*step
		out = append(out, v)
		if v >= hi-step*1e-9 && len(out) >= 2 {
			return out
		}
	}
}

// niceStep returns the smallest of 1, 2 or 5 times a power of ten that is
// at least raw.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// TickLabel formats tick value v with as many decimals as the spacing of
// ticks needs.
func TickLabel(v float64, ticks []float64) string {
	decimals := 0
	if len(ticks) > 1 {
		step := ticks[1] - ticks[0]
		decimals = max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	}
	if math.Abs(v) < 1e-12 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
