package embedded

import (
	"testing"

	"stemgap/data"
	"stemgap/data/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestRefusesAnotherSchemaVersion(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.writeJSON(metaFile, meta{SchemaVersion: SchemaVersion + 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Error("a data directory of another schema version should be refused")
	}
}
