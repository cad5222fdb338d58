package holdfast_test

import (
	"go/build"
	"os/exec"
	"path"
	"strings"
	"testing"
)

// allowed states which holdfast packages each package may import, as in
// STYLE.md's table. Imports point only to earlier rows; a package not listed
// here fails the test until it is given its row.
var allowed = map[string][]string{
	"internal/proto":                 nil,
	"internal/subject":               nil,
	"internal/jsapi":                 nil,
	"internal/conf":                  nil,
	"internal/raft":                  nil,
	"internal/auth":                  {"internal/subject"},
	"internal/broker":                {"internal/subject"},
	"internal/store":                 {"internal/subject"},
	"internal/store/memstore":        {"internal/store", "internal/subject"},
	"internal/store/filestore":       {"internal/store", "internal/subject"},
	"internal/store/storetest":       {"internal/store", "internal/subject"},
	"internal/conn":                  {"internal/proto", "internal/auth", "internal/broker", "internal/subject"},
	"internal/jetstream/ackstate":    nil,
	"internal/jetstream":             {"internal/jetstream/ackstate", "internal/broker", "internal/store", "internal/store/memstore", "internal/store/filestore", "internal/jsapi", "internal/subject", "internal/raft", "internal/proto"},
	"internal/monitor":               {"internal/jsapi"},
	"server":                         {"*"},
	"internal/servertest":            {"server"},
	"cmd/holdfast":                   {"server"},
	"test":                           {"server", "internal/servertest"},
	"internal/jsapi/internal/generr": nil,
}

const module = "github.com/holdfast-mq/holdfast"

func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, full := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(strings.TrimPrefix(full, module), "/")
		if rel == "" {
			continue
		}
		ok, listed := allowed[rel]
		if !listed {
			t.Errorf("package %s has no row in deps_test.go: add one that follows STYLE.md", rel)
			continue
		}
		pkg, err := build.Import(full, ".", 0)
		if err != nil {
			t.Fatalf("import %s: %v", full, err)
		}
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			if !permitted(ok, dep) {
				t.Errorf("%s imports %s, which STYLE.md does not allow", rel, dep)
			}
		}
	}
}

func permitted(list []string, dep string) bool {
	for _, p := range list {
		if p == "*" || p == dep || (strings.HasSuffix(p, "/...") && strings.HasPrefix(dep, path.Dir(p))) {
			return true
		}
	}
	return false
}
