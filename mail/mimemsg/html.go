package mimemsg

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Bounds that keep hostile nesting linear: open skipped elements and
// links remembered, "> " written per line.
const (
	maxHTMLStack  = 256
	maxQuoteDepth = 16
)

// HTMLToText turns an HTML body into plain text that is safe to show and
// to index: no script, style, head, title, frames or embedded objects,
// paragraph and line breaks where the blocks were, "• " list items, tabs
// between table cells, "> " before quoted blocks, links as "text (url)"
// when the address is not the text itself (http, https and mailto only),
// images as "[hình ảnh: alt]". Nothing is ever fetched; the package has no
// network code. The result is at most about TextCap bytes.
func HTMLToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	w := &textWriter{}
	var skip []atom.Atom // open elements whose content is dropped
	inHead := false
	type link struct {
		href  string
		start int
	}
	var links []link
	pre := 0
	for w.b.Len() < TextCap {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			if len(skip) > 0 || inHead {
				continue
			}
			w.text(string(z.Text()), pre > 0)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			var attrs map[string]string
			if hasAttr && (a == atom.A || a == atom.Img) {
				attrs = map[string]string{}
				for {
					k, v, more := z.TagAttr()
					attrs[string(k)] = string(v)
					if !more {
						break
					}
				}
			}
			if inHead && !headElement(a) {
				inHead = false // an unclosed head: the body has started
			}
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Iframe, atom.Frame,
				atom.Frameset, atom.Object, atom.Embed, atom.Applet, atom.Noscript,
				atom.Noembed, atom.Noframes, atom.Template, atom.Svg, atom.Math,
				atom.Select, atom.Textarea, atom.Audio, atom.Video, atom.Canvas:
				if a == atom.Head {
					if tt == html.StartTagToken {
						inHead = true
					}
					continue
				}
				// embed and frame are void: no end tag will come.
				if tt == html.StartTagToken && a != atom.Embed && a != atom.Frame && len(skip) < maxHTMLStack {
					skip = append(skip, a)
				}
				continue
			}
			if len(skip) > 0 {
				continue
			}
			switch a {
			case atom.Body:
				inHead = false
			case atom.Br:
				w.newline(1)
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Figure:
				w.newline(2)
			case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer,
				atom.Nav, atom.Aside, atom.Main, atom.Form, atom.Fieldset, atom.Address,
				atom.Center, atom.Dt, atom.Dd, atom.Caption, atom.Figcaption, atom.Tbody,
				atom.Thead, atom.Tfoot:
				w.newline(1)
			case atom.Hr:
				w.newline(1)
				w.word("──────────")
				w.newline(1)
			case atom.Li:
				w.newline(1)
				w.word("• ")
				w.space = false
			case atom.Tr:
				w.newline(1)
				w.cells = 0
			case atom.Td, atom.Th:
				if w.cells > 0 {
					w.tab()
				}
				w.cells++
			case atom.Blockquote:
				w.newline(2)
				w.quote++
			case atom.Pre:
				w.newline(2)
				pre++
			case atom.A:
				if tt == html.StartTagToken && len(links) < maxHTMLStack {
					w.flushSpace()
					links = append(links, link{href: attrs["href"], start: w.b.Len()})
				}
			case atom.Img:
				alt := strings.Join(strings.Fields(attrs["alt"]), " ")
				if alt != "" {
					w.word("[hình ảnh: " + alt + "]")
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Head {
				inHead = false
				continue
			}
			if a == atom.Body || a == atom.Html {
				skip = skip[:0] // whatever was left open ends here
				continue
			}
			if len(skip) > 0 {
				for i := len(skip) - 1; i >= 0; i-- {
					if skip[i] == a {
						skip = skip[:i]
						break
					}
				}
				continue
			}
			switch a {
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Figure:
				w.newline(2)
			case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer,
				atom.Nav, atom.Aside, atom.Main, atom.Form, atom.Fieldset, atom.Address,
				atom.Center, atom.Li, atom.Tr, atom.Dt, atom.Dd, atom.Caption, atom.Figcaption:
				w.newline(1)
			case atom.Blockquote:
				w.newline(2)
				if w.quote > 0 {
					w.quote--
				}
			case atom.Pre:
				w.newline(2)
				if pre > 0 {
					pre--
				}
			case atom.A:
				if len(links) == 0 {
					continue
				}
				l := links[len(links)-1]
				links = links[:len(links)-1]
				if l.start > w.b.Len() {
					continue
				}
				if u := safeURL(l.href); u != "" && !sameLink(u, w.b.String()[l.start:]) {
					w.word("(" + u + ")")
				}
			}
		}
	}
	return tidyLines(w.b.String())
}

// headElement: elements that may stand in <head>.
func headElement(a atom.Atom) bool {
	switch a {
	case atom.Meta, atom.Link, atom.Title, atom.Style, atom.Script, atom.Base, atom.Noscript, atom.Template:
		return true
	}
	return false
}

// safeURL returns the link address when it is one a reader may follow by
// hand (http, https, mailto), "" otherwise (javascript:, data:, cid:…).
func safeURL(href string) string {
	u := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, href)
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:") {
		if len(u) > 2000 {
			return ""
		}
		return u
	}
	return ""
}

// sameLink reports whether a link's text already says its address.
func sameLink(u, text string) bool {
	if len(text) > len(u)+64 {
		return false // and no need to look at a long text
	}
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"mailto:", "https://", "http://", "www."} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimRight(s, "/")
	}
	t := norm(text)
	return t == norm(u)
}

// textWriter collects text with collapsed blanks and pending breaks.
type textWriter struct {
	b     strings.Builder
	nl    int  // line breaks due before the next word (at most 2)
	space bool // a blank is due before the next word
	quote int  // blockquote depth: "> " per level at each line start
	// nlQuote is the lowest blockquote depth since the breaks became due.
	nlQuote int
	cells   int  // cells seen in the current table row
	tabs    bool // a tab is due
}

func (w *textWriter) newline(n int) {
	if w.b.Len() == 0 {
		return
	}
	if w.nl == 0 || w.quote < w.nlQuote {
		w.nlQuote = w.quote
	}
	w.nl = max(w.nl, n)
	w.space, w.tabs = false, false
}

func (w *textWriter) tab() {
	w.tabs = true
	w.space = false
}

func (w *textWriter) prefix() {
	for range min(w.quote, maxQuoteDepth) {
		w.b.WriteString("> ")
	}
}

// flushSpace writes what is due before a word: breaks (with the quote
// prefix on each new line), a tab or a blank.
func (w *textWriter) flushSpace() {
	switch {
	case w.nl > 0:
		// An empty line between paragraphs is quoted only as deep as
		// the text on both sides of it.
		blank := min(w.nlQuote, w.quote, maxQuoteDepth)
		for i := 0; i < w.nl; i++ {
			w.b.WriteByte('\n')
			if i < w.nl-1 && blank > 0 {
				w.b.WriteString(strings.Repeat(">", blank))
			}
		}
		w.prefix()
	case w.b.Len() == 0:
		w.prefix()
	case w.tabs:
		w.b.WriteByte('\t')
	case w.space:
		w.b.WriteByte(' ')
	}
	w.nl, w.space, w.tabs = 0, false, false
}

// word writes s as one word (no collapsing inside).
func (w *textWriter) word(s string) {
	if w.b.Len() > 0 && w.nl == 0 && !w.tabs {
		w.space = true
	}
	w.flushSpace()
	w.b.WriteString(s)
}

// text writes a text node: blanks collapsed, or kept in <pre>.
func (w *textWriter) text(s string, pre bool) {
	if pre {
		for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if i > 0 {
				w.nl = max(w.nl, 1)
			}
			if line != "" {
				w.flushSpace()
				w.b.WriteString(strings.Map(dropInvisible, line))
			}
		}
		return
	}
	start := -1
	for i, r := range s {
		if isHTMLSpace(r) {
			if start >= 0 {
				w.flushSpace()
				w.b.WriteString(strings.Map(dropInvisible, s[start:i]))
				start = -1
			}
			if w.b.Len() > 0 && w.nl == 0 && !w.tabs {
				w.space = true
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		w.flushSpace()
		w.b.WriteString(strings.Map(dropInvisible, s[start:]))
	}
}

func isHTMLSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\u00a0', '\u2007', '\u202f', '\u3000':
		return true
	}
	return false
}

// dropInvisible removes the invisible characters newsletters pad with
// (zero-width, soft hyphen, BOM) and stray controls.
func dropInvisible(r rune) rune {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u034f', utf8.RuneError:
		return -1
	}
	if r < 0x20 && r != '\t' || r == 0x7f {
		return -1
	}
	return r
}

// tidyLines trims blanks at line ends and runs of more than one empty
// line, and the text's own ends.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	empty := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			empty++
			if empty > 1 {
				continue
			}
		} else {
			empty = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
