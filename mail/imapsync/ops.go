package imapsync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"

	"congvu/docs-store"
)

// maxOpAttempts: an operation the server keeps refusing (a folder we may
// not write, a target that vanished) is dropped after this many attempts,
// not retried forever; the log keeps its last error.
const maxOpAttempts = 5

// replayOps sends the changes made offline (flags, moves, deletes), oldest
// first. Each was applied to the cache when made; here the server learns
// of it. An operation on a folder whose UIDVALIDITY changed meanwhile is
// dropped: its UID no longer names that message.
func (s *session) replayOps(ctx context.Context) (int, error) {
	ops, err := s.e.store.PendingMailOps(ctx, s.e.account.ID)
	if err != nil || len(ops) == 0 {
		return 0, err
	}
	s.e.progress(Progress{Phase: PhaseOps})
	done := 0
	for _, op := range ops {
		if op.Attempts >= maxOpAttempts {
			// Given up: drop it, so the cache shows the server's state
			// again (the next sync fetches a message it had hidden).
			s.e.log.Warn("offline operation dropped after repeated refusals", "op", op.Kind, "folder", op.FolderName, "uid", op.UID, "err", op.LastError)
			if err := s.e.store.DoneMailOp(ctx, op.ID, nil); err != nil {
				return done, err
			}
			continue
		}
		err := s.replay(ctx, op)
		if err != nil && isConnErr(err) {
			return done, err
		}
		if derr := s.e.store.DoneMailOp(ctx, op.ID, err); derr != nil {
			return done, derr
		}
		if err == nil {
			done++
		} else {
			s.e.log.Warn("offline operation refused", "op", op.Kind, "folder", op.FolderName, "uid", op.UID, "err", err)
		}
	}
	return done, nil
}

var errStaleOp = errors.New("folder was rebuilt on the server since the change was made")

func (s *session) replay(ctx context.Context, op docstore.MailOp) error {
	sel, err := s.selectFolder(op.FolderName, false)
	if err != nil {
		return err
	}
	if sel.UIDValidity != op.UIDValidity {
		return errStaleOp
	}
	uids := imap.UIDSetNum(imap.UID(op.UID))
	switch op.Kind {
	case docstore.MailOpAddFlags, docstore.MailOpRemoveFlags:
		var fl []imap.Flag
		for _, f := range strings.Fields(op.Arg) {
			fl = append(fl, imap.Flag(f))
		}
		o := imap.StoreFlagsAdd
		if op.Kind == docstore.MailOpRemoveFlags {
			o = imap.StoreFlagsDel
		}
		return s.e.connErr(s.c.Store(uids, &imap.StoreFlags{Op: o, Flags: fl, Silent: true}, nil).Close())
	case docstore.MailOpMove:
		return s.move(uids, op.Arg)
	case docstore.MailOpDelete:
		trash, err := s.e.store.MailFolderByRole(ctx, s.e.account.ID, docstore.FolderTrash)
		if err == nil && trash.Name != op.FolderName {
			return s.move(uids, trash.Name)
		}
		if err != nil && !errors.Is(err, docstore.ErrNotFound) {
			return err
		}
		// Already in the Trash, or there is none: delete for good.
		if err := s.c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
			return s.e.connErr(err)
		}
		return s.expunge(uids)
	}
	return fmt.Errorf("unknown offline operation %q", op.Kind)
}

func (s *session) move(uids imap.UIDSet, target string) error {
	if s.caps.Has(imap.CapMove) || s.caps.Has(imap.CapIMAP4rev2) {
		_, err := s.c.Move(uids, target).Wait()
		return s.e.connErr(err)
	}
	if _, err := s.c.Copy(uids, target).Wait(); err != nil {
		return s.e.connErr(err)
	}
	if err := s.c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		return s.e.connErr(err)
	}
	return s.expunge(uids)
}

// expunge removes only these UIDs (UIDPLUS); a plain EXPUNGE would also
// remove what another client marked \Deleted and meant to keep a while.
func (s *session) expunge(uids imap.UIDSet) error {
	if s.caps.Has(imap.CapUIDPlus) || s.caps.Has(imap.CapIMAP4rev2) {
		return s.e.connErr(s.c.UIDExpunge(uids).Close())
	}
	return s.e.connErr(s.c.Expunge().Close())
}
