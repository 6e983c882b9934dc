package report

import (
	"bytes"
	"io"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// methodMarkdown renders METHOD.md: CommonMark with GitHub's tables, headings given ids so that
// reports can link a section. Raw HTML in the document is left out (goldmark's default), so the
// page carries only what Markdown describes.
var methodMarkdown = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
)

// WriteMethod writes the method document as a page.
func WriteMethod(out io.Writer, markdown []byte, page Page) error {
	var body bytes.Buffer
	if err := methodMarkdown.Convert(markdown, &body); err != nil {
		return err
	}
	return render(out, "method", words{}, page, struct{ Body any }{trusted(body.String())})
}
