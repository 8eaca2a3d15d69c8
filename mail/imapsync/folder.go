package imapsync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
)

// session is one logged-in connection. Only the goroutine that made it
// uses it (the engine's loop, or SyncOnce): go-imap's client is safe for
// concurrent commands, but the selected folder is connection state, and a
// single owner keeps "which folder is selected" true.
type session struct {
	e        *Engine
	c        *imapclient.Client
	caps     imap.CapSet
	selected string // folder name currently selected, "" none
	sel      *imap.SelectData
	status   map[string]*imap.StatusData // from STATUS at the folder list, by folder name
}

// unchanged says the server's STATUS counters of f equal what the
// cache recorded at its last complete sync: no new message (UIDNEXT), none
// removed (MESSAGES), no flag changed (HIGHESTMODSEQ), same UIDVALIDITY.
// Without CONDSTORE flag changes cannot be seen this way, so never.
func (s *session) unchanged(f docstore.MailFolder) bool {
	st := s.status[f.Name]
	if st == nil || !s.condstore() || st.NumMessages == nil || f.UIDValidity == 0 {
		return false
	}
	return st.UIDValidity == f.UIDValidity && uint32(st.UIDNext) == f.UIDNext &&
		st.HighestModSeq == f.HighestModSeq && st.HighestModSeq != 0 && int(*st.NumMessages) == f.Total
}

// statusOptions: the counters unchanged compares.
func (s *session) statusOptions() *imap.StatusOptions {
	return &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, HighestModSeq: s.condstore()}
}

func (s *session) condstore() bool {
	return s.caps.Has(imap.CapCondStore) || s.caps.Has(imap.CapIMAP4rev2)
}
func (s *session) esearch() bool { return s.caps.Has(imap.CapESearch) || s.caps.Has(imap.CapIMAP4rev2) }

// listFolders reads the folder list (with SPECIAL-USE roles) into the
// cache, and every folder's counters into s.status.
//
// The counters come from STATUS commands pipelined ahead of the LIST, one
// per folder the cache knows (folders new on the server get theirs after
// it), not from LIST-STATUS. Measured on Dovecot 2.3.19 with a
// 20,000-message INBOX and five small folders: LIST-STATUS takes 12–15 ms;
// a STATUS of the INBOX takes 2 ms before any LIST of the session but
// 11–15 ms after one; the six STATUS then the LIST take 3–4 ms. This is
// most of a no-change resync (docs/BENCHMARKS.md). STATUS is plain
// IMAP4rev1, so servers without LIST-STATUS get the same skip of
// unchanged folders.
func (s *session) listFolders(ctx context.Context) ([]docstore.MailFolder, error) {
	opts := &imap.ListOptions{}
	if s.caps.Has(imap.CapSpecialUse) {
		opts.ReturnSpecialUse = true
	}
	if s.caps.Has(imap.CapListExtended) {
		opts.ReturnSubscribed = true
	}
	known, err := s.e.store.MailFolders(ctx, s.e.account.ID)
	if err != nil {
		return nil, err
	}
	statusCmds := map[string]*imapclient.StatusCommand{}
	// Without CONDSTORE a folder is never skipped (unchanged), so its
	// counters are not worth asking for.
	if s.condstore() {
		for _, f := range known {
			if !f.NoSelect {
				statusCmds[f.Name] = s.c.Status(f.Name, s.statusOptions())
			}
		}
	}
	list, err := s.c.List("", "*", opts).Collect()
	if err != nil {
		return nil, fmt.Errorf("list folders: %w", s.e.connErr(err))
	}
	infos := make([]docstore.MailFolderInfo, 0, len(list))
	for _, l := range list {
		fi := docstore.MailFolderInfo{Name: l.Mailbox}
		if l.Delim != 0 {
			fi.Delim = string(l.Delim)
		}
		if l.ChildInfo != nil {
			fi.Subscribed = l.ChildInfo.Subscribed
		}
		for _, a := range l.Attrs {
			switch {
			case strings.EqualFold(string(a), string(imap.MailboxAttrNoSelect)), strings.EqualFold(string(a), string(imap.MailboxAttrNonExistent)):
				fi.NoSelect = true
			case strings.EqualFold(string(a), string(imap.MailboxAttrSubscribed)):
				fi.Subscribed = true
			default:
				if r := roleOf(a); r != "" {
					fi.Role = r
				}
			}
		}
		if strings.EqualFold(l.Mailbox, "INBOX") {
			fi.Name, fi.Role = "INBOX", docstore.FolderInbox
		}
		if _, asked := statusCmds[fi.Name]; !asked && !fi.NoSelect && s.condstore() {
			statusCmds[fi.Name] = s.c.Status(l.Mailbox, s.statusOptions())
		}
		infos = append(infos, fi)
	}
	// Every command is waited for, also those of folders gone from the
	// server (NO [NONEXISTENT]: no counters, nothing else to do).
	s.status = map[string]*imap.StatusData{}
	for name, cmd := range statusCmds {
		st, err := cmd.Wait()
		if err != nil {
			if isConnErr(s.e.connErr(err)) {
				return nil, fmt.Errorf("status %s: %w", name, s.e.connErr(err))
			}
			continue
		}
		s.status[name] = st
	}
	return s.e.store.SyncMailFolders(ctx, s.e.account.ID, infos)
}

func roleOf(a imap.MailboxAttr) string {
	switch strings.ToLower(string(a)) {
	case `\sent`:
		return docstore.FolderSent
	case `\drafts`:
		return docstore.FolderDrafts
	case `\trash`:
		return docstore.FolderTrash
	case `\junk`:
		return docstore.FolderJunk
	case `\archive`:
		return docstore.FolderArchive
	}
	return ""
}

// selectFolder selects name (with CONDSTORE when offered) unless it is
// already selected and fresh is false.
func (s *session) selectFolder(name string, fresh bool) (*imap.SelectData, error) {
	if s.selected == name && !fresh && s.sel != nil {
		return s.sel, nil
	}
	var opts *imap.SelectOptions
	if s.condstore() {
		opts = &imap.SelectOptions{CondStore: true}
	}
	sel, err := s.c.Select(name, opts).Wait()
	if err != nil {
		s.selected, s.sel = "", nil
		return nil, s.e.connErr(err)
	}
	s.selected, s.sel = name, sel
	return sel, nil
}

// FolderSummary is what one folder's sync changed in the cache.
type FolderSummary struct {
	Folder  string
	New     int  // headers added
	Changed int  // flag changes applied
	Removed int  // messages expunged on the server
	Bodies  int  // bodies downloaded
	Reset   bool // UIDVALIDITY changed: the folder was rebuilt
	Err     error
	// ListReady is when the folder's list was complete (headers, flags,
	// expunges committed), and Done when its bodies were too, both counted
	// from the start of the sync.
	ListReady, Done time.Duration
}

// syncHeaders brings one folder's list up to date: UIDVALIDITY, new
// messages (headers and structure, no bodies), changed flags, expunges.
// Every step commits as it goes, so an interrupted sync resumes: new
// headers from the highest UID cached, flags and expunges from the folder
// state, which is saved only when all three are done.
func (s *session) syncHeaders(ctx context.Context, f docstore.MailFolder) (docstore.MailFolder, FolderSummary, error) {
	sum := FolderSummary{Folder: f.Name}
	st := s.e.store
	sel, err := s.selectFolder(f.Name, true)
	if err != nil {
		return f, sum, &FolderError{f.Name, "select", err}
	}
	if f.UIDValidity != sel.UIDValidity {
		// A new UIDVALIDITY means the UIDs we hold name other messages
		// now (or the folder was recreated): drop and rebuild.
		sum.Reset = f.UIDValidity != 0
		if err := st.ResetMailFolder(ctx, f.ID, sel.UIDValidity); err != nil {
			return f, sum, err
		}
		f.UIDValidity, f.UIDNext, f.HighestModSeq = sel.UIDValidity, 0, 0
	}
	maxUID, err := st.MailMaxUID(ctx, f.ID)
	if err != nil {
		return f, sum, err
	}
	if sel.NumMessages > 0 && (sel.UIDNext == 0 || uint32(sel.UIDNext) > maxUID+1) {
		n, err := s.fetchHeaders(ctx, f, maxUID)
		sum.New = n
		if err != nil {
			return f, sum, &FolderError{f.Name, "headers", err}
		}
	}
	if maxUID > 0 {
		n, err := s.fetchFlags(ctx, f, maxUID, sel)
		sum.Changed = n
		if err != nil {
			return f, sum, &FolderError{f.Name, "flags", err}
		}
		n, err = s.findExpunged(ctx, f)
		sum.Removed = n
		if err != nil {
			return f, sum, &FolderError{f.Name, "expunge", err}
		}
	}
	if err := st.SetMailFolderState(ctx, f.ID, uint32(sel.UIDNext), sel.HighestModSeq); err != nil {
		return f, sum, err
	}
	f.UIDNext, f.HighestModSeq = uint32(sel.UIDNext), sel.HighestModSeq
	return f, sum, nil
}

// fetchHeaders fetches everything above maxUID. The network and the
// database work side by side: a writer goroutine commits batch n while the
// fetch reads batch n+1.
func (s *session) fetchHeaders(ctx context.Context, f docstore.MailFolder, maxUID uint32) (int, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(maxUID+1), 0) // maxUID+1:*
	return s.fetchHeaderSet(ctx, f, set, maxUID)
}

// fetchHeaderSet fetches the headers of the UIDs in set above minUID.
func (s *session) fetchHeaderSet(ctx context.Context, f docstore.MailFolder, set imap.UIDSet, minUID uint32) (int, error) {
	maxUID := minUID
	opts := &imap.FetchOptions{
		UID: true, Flags: true, Envelope: true, InternalDate: true, RFC822Size: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		ModSeq:        s.condstore(),
	}
	batches := make(chan []docstore.MailHeader, 2)
	werr := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err == nil {
				err = s.e.store.PutMailHeaders(ctx, f.ID, b)
				if err == nil {
					s.e.progress(Progress{Folder: f.Name, Phase: PhaseHeaders, Done: len(b)})
				}
			}
		}
		werr <- err
	}()
	size := s.e.opt.HeaderBatch
	batch := make([]docstore.MailHeader, 0, size)
	n := 0
	ferr := eachMessage(ctx, s.c.Fetch(set, opts), func(buf *imapclient.FetchMessageBuffer) {
		// "n:*" also answers with the last message when none is above n.
		if uint32(buf.UID) <= maxUID {
			return
		}
		batch = append(batch, headerOf(buf))
		n++
		if len(batch) == size {
			batches <- batch
			batch = make([]docstore.MailHeader, 0, size)
		}
	})
	if len(batch) > 0 && ferr == nil {
		batches <- batch
	}
	close(batches)
	if err := <-werr; err != nil {
		return n, err
	}
	if ferr != nil {
		return n, s.e.connErr(ferr)
	}
	return n, nil
}

// eachMessage hands every reply of a FETCH to fn, as it streams in, and
// ends the command; the first error (of the connection, or ctx) is returned.
func eachMessage(ctx context.Context, cmd *imapclient.FetchCommand, fn func(*imapclient.FetchMessageBuffer)) error {
	var ferr error
	for {
		m := cmd.Next()
		if m == nil {
			break
		}
		buf, err := m.Collect()
		if err != nil {
			ferr = err
			break
		}
		fn(buf)
		if ferr = ctx.Err(); ferr != nil {
			break
		}
	}
	if err := cmd.Close(); ferr == nil {
		ferr = err
	}
	return ferr
}

// fetchFlags applies flag changes: with CONDSTORE only those since the
// folder's HIGHESTMODSEQ (one round trip, usually empty); without it, a
// scan of every cached message's flags.
func (s *session) fetchFlags(ctx context.Context, f docstore.MailFolder, maxUID uint32, sel *imap.SelectData) (int, error) {
	opts := &imap.FetchOptions{UID: true, Flags: true}
	if s.condstore() && sel.HighestModSeq > 0 {
		if f.HighestModSeq == sel.HighestModSeq {
			return 0, nil // nothing changed since the last sync
		}
		if f.HighestModSeq > 0 {
			opts.ModSeq, opts.ChangedSince = true, f.HighestModSeq
		}
	}
	var set imap.UIDSet
	set.AddRange(1, imap.UID(maxUID))
	var changes []docstore.MailFlagChange
	ferr := eachMessage(ctx, s.c.Fetch(set, opts), func(buf *imapclient.FetchMessageBuffer) {
		changes = append(changes, docstore.MailFlagChange{UID: uint32(buf.UID), ModSeq: buf.ModSeq, Flags: flagStrings(buf.Flags)})
	})
	if ferr != nil {
		return 0, s.e.connErr(ferr)
	}
	if len(changes) == 0 {
		return 0, nil
	}
	if err := s.e.store.SetMailFlags(ctx, f.ID, changes); err != nil {
		return 0, err
	}
	return len(changes), nil
}

// findExpunged removes what the server no longer has. UIDs only grow and
// every new message has just been fetched, so the cache holds the server's
// messages plus the expunged ones: equal counts mean nothing was expunged,
// and no command is needed. Otherwise one UID SEARCH RETURN (ALL) brings
// the server's UIDs as compact ranges ("1:4000,4002:20000"), and the
// difference is removed.
func (s *session) findExpunged(ctx context.Context, f docstore.MailFolder) (int, error) {
	cur, err := s.e.store.MailFolder(ctx, f.ID)
	if err != nil {
		return 0, err
	}
	if mb := s.c.Mailbox(); mb != nil && int(mb.NumMessages) == cur.Total {
		return 0, nil
	}
	local, err := s.e.store.MailUIDs(ctx, f.ID)
	if err != nil {
		return 0, err
	}
	var opts *imap.SearchOptions
	if s.esearch() {
		opts = &imap.SearchOptions{ReturnAll: true}
	}
	data, err := s.c.UIDSearch(&imap.SearchCriteria{}, opts).Wait()
	if err != nil {
		return 0, s.e.connErr(err)
	}
	server, _ := data.All.(imap.UIDSet)
	var gone []uint32
	have := make(map[uint32]bool, len(local))
	for _, u := range local {
		have[u] = true
		if !server.Contains(imap.UID(u)) {
			gone = append(gone, u)
		}
	}
	if len(gone) > 0 {
		if err := s.e.store.RemoveMailUIDs(ctx, f.ID, gone); err != nil {
			return 0, err
		}
	}
	// The other way round: a message the server has and the cache lacks
	// below its highest UID — hidden by a move or delete the server
	// refused, or lost by a cache repair. Fetch its headers again (the
	// store keeps out those still waiting in the offline queue).
	var missing imap.UIDSet
	if all, ok := server.Nums(); ok {
		for _, u := range all {
			if !have[uint32(u)] {
				missing.AddNum(u)
			}
		}
	}
	if len(missing) > 0 {
		if _, err := s.fetchHeaderSet(ctx, f, missing, 0); err != nil {
			return len(gone), err
		}
	}
	return len(gone), nil
}

// syncFolder is the whole of one folder: headers pass, then bodies.
func (s *session) syncFolder(ctx context.Context, f docstore.MailFolder, bodies bool) FolderSummary {
	f, sum, err := s.syncHeaders(ctx, f)
	if err == nil && bodies {
		sum.Bodies, err = s.fetchMissingBodies(ctx, f)
	}
	sum.Err = err
	return sum
}

// isConnErr says the connection is unusable (as opposed to a NO from the
// server about one folder or message).
func isConnErr(err error) bool {
	return errors.Is(err, ErrConnectionLost) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// folderOrder: INBOX first, then the rest as the store lists them.
func folderOrder(fs []docstore.MailFolder) []docstore.MailFolder {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b docstore.MailFolder) int {
		ai, bi := a.Role == docstore.FolderInbox, b.Role == docstore.FolderInbox
		switch {
		case ai && !bi:
			return -1
		case bi && !ai:
			return 1
		}
		return 0
	})
	return out
}
