package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"congvu/assets"
	docstore "congvu/docs-store"
	"congvu/mail/edxml"
)

// Every key the window asks for exists in both translations, and the two
// files hold the same app keys: nothing shows up as a raw key.
func TestTranslationsCoverEveryKey(t *testing.T) {
	files := map[string]map[string]any{}
	for _, l := range Languages {
		b, err := assets.Translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", l, err)
		}
		files[l] = m
	}
	used := regexp.MustCompile(`\b(?:T|notYet)\("([a-z_]+\.[a-z_0-9.]*[a-z_0-9])"|ErrorTextOr\([^,]+, "([a-z_.]+)"\)|= "(nav\.[a-z]+)"`)
	srcs, _ := filepath.Glob("*.go")
	keys := map[string]bool{}
	for _, f := range srcs {
		b, _ := os.ReadFile(f)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]+m[2]+m[3]] = true
		}
	}
	// Keys built at run time.
	for _, k := range []string{"urgency.0", "urgency.1", "urgency.2", "urgency.3", "role.chu_tri", "role.phoi_hop", "role.de_biet"} {
		keys[k] = true
	}
	for prefix, names := range map[string][]string{
		"draft.action.":    {"submit", "cancel", "initial", "return", "approve", "sign", "issue"},
		"dstep.":           {"create", "add_version", "submit", "submit_initial", "initial", "return", "approve", "sign", "issue", "cancel"},
		"step.":            {"register", "direct", "assignment_accept", "assignment_complete", "assignment_return"},
		"status.":          {docstore.DocAwaiting, docstore.DocInProgress, docstore.DocReturned, docstore.DocDone, docstore.DocIssued},
		"as.":              {docstore.AsPending, docstore.AsInProgress, docstore.AsDone, docstore.AsReturned, docstore.AsForInfo},
		"secrecy.":         {"0", "1", "2", "3"},
		"source.":          {"giay", "dien_tu", "email", "edxml"},
		"prole.":           {string(docstore.RoleClerk), string(docstore.RoleSpecialist), string(docstore.RoleUnitHead), string(docstore.RoleAgencyLeader), string(docstore.RoleAdmin)},
		"notice.":          NoticeKinds,
		"settings.notify_": NoticeKinds,
		"settings.size_":   {"0", "1", "2", "3"},
		"journal.why.":     docstore.WarnCodes,
		"event.":           docstore.EventTypes(),
		"exchange.code.":   statusCodeNames(),
	} {
		for _, n := range names {
			keys[prefix+n] = true
		}
	}
	for _, k := range errorKeys {
		keys[k.key] = true
	}
	for _, st := range []string{docstore.DraftEditing, docstore.DraftReturned, docstore.DraftInitial, docstore.DraftPending,
		docstore.DraftApproved, docstore.DraftSigned, docstore.DraftIssued, docstore.DraftCancelled} {
		keys["draft."+st] = true
	}
	for _, c := range append(incomingColumns, outgoingColumns...) {
		keys[c.key] = true
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys in the sources: the pattern is broken", len(keys))
	}
	for k := range keys {
		for l, m := range files {
			if _, ok := m[k]; !ok {
				t.Errorf("%s.json lacks %q", l, k)
			}
		}
	}
	for k := range files["en"] {
		if _, ok := files["vi"][k]; !ok {
			t.Errorf("vi.json lacks %q (Vietnamese comes first)", k)
		}
	}
}

// Every reason the store can give for refusing a field has a sentence in
// both languages, so no refusal reaches the user as a raw key.
func TestEveryFieldReasonHasASentence(t *testing.T) {
	reasonRE := regexp.MustCompile(`invalid\("[a-z_]+", "([a-z_]+)"\)|Reason: "([a-z_]+)"`)
	srcs, _ := filepath.Glob("../docs-store/*.go")
	local, _ := filepath.Glob("*.go")
	reasons := map[string]bool{}
	for _, f := range append(srcs, local...) {
		b, _ := os.ReadFile(f)
		for _, m := range reasonRE.FindAllStringSubmatch(string(b), -1) {
			reasons[m[1]+m[2]] = true
		}
	}
	if len(reasons) < 15 {
		t.Fatalf("found only %d reasons: the pattern is broken", len(reasons))
	}
	for _, l := range Languages {
		b, _ := assets.Translations.ReadFile("translations/" + l + ".json")
		m := map[string]any{}
		json.Unmarshal(b, &m)
		for r := range reasons {
			if _, ok := m["field."+r]; !ok {
				t.Errorf("%s.json lacks field.%s", l, r)
			}
		}
	}
}

func statusCodeNames() []string {
	var out []string
	for _, c := range edxml.StatusCodes {
		out = append(out, string(c))
	}
	return out
}
