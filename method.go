// Package stemgap holds the documents that ship inside the binary: METHOD.md, which the server
// renders at /method so that every report can link the method it followed.
package stemgap

import _ "embed"

// Method is METHOD.md as written.
//
//go:embed METHOD.md
var Method []byte
