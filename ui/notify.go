package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"

	docstore "congvu/docs-store"
)

// NoticeInterval is how often the notifier looks for news when nothing
// asked it to (a sync or a change in the window asks at once).
const NoticeInterval = 30 * time.Second

// Notifier turns the store's notices into desktop notifications for the
// person at the window, each kind only while it is on in Cài đặt. It runs
// in its own goroutine and reaches Fyne only through OnMain.
type Notifier struct {
	st     *docstore.Store
	prefs  Prefs
	dir    string
	viewer string
	send   func(*fyne.Notification)

	kick chan struct{}
}

// NewNotifier prepares the notifications for viewer in the data folder dir;
// send is normally the app's SendNotification.
func NewNotifier(st *docstore.Store, prefs Prefs, dir, viewer string, send func(*fyne.Notification)) *Notifier {
	return &Notifier{st: st, prefs: prefs, dir: dir, viewer: viewer, send: send, kick: make(chan struct{}, 1)}
}

// Run checks now, then on every Kick and every NoticeInterval, until ctx
// ends. The first time this person opens this folder, they are not told
// about the history: the cursor starts at what is already there.
func (n *Notifier) Run(ctx context.Context) {
	if _, ok := n.prefs.NoticeCursor(n.dir, n.viewer); !ok {
		c, err := n.st.NoticeMark(ctx)
		if err != nil {
			return // no starting point: better no notifications than the whole history
		}
		n.prefs.SetNoticeCursor(n.dir, n.viewer, c)
	}
	t := time.NewTicker(NoticeInterval)
	defer t.Stop()
	for {
		n.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.kick:
		}
	}
}

// Kick asks for a check soon (after a change made in the window).
func (n *Notifier) Kick() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// Check looks once for news and sends what is on.
func (n *Notifier) Check(ctx context.Context) {
	cur, _ := n.prefs.NoticeCursor(n.dir, n.viewer)
	today := n.st.Today()
	if n.prefs.DeadlineToldOn(n.dir, n.viewer) == today {
		today = "" // already reminded today
	}
	ns, next, err := n.st.Notices(ctx, n.viewer, cur, today)
	if err != nil {
		return // the counters and status line report store trouble
	}
	n.prefs.SetNoticeCursor(n.dir, n.viewer, next)
	if today != "" {
		n.prefs.SetDeadlineToldOn(n.dir, n.viewer, today)
	}
	if len(ns) == 0 {
		return
	}
	OnMain(func() { // worded here: translations are read on the main goroutine only
		for _, m := range noticeMessages(ns, n.prefs) {
			n.send(m)
		}
	})
}

// noticeMessages words the notices that are switched on: one notification
// per notice, and one summary when a kind has many (after a long sync).
func noticeMessages(ns []docstore.Notice, prefs Prefs) []*fyne.Notification {
	const perKind = 3
	byKind := map[string][]docstore.Notice{}
	for _, x := range ns {
		if prefs.Notify(x.Kind) {
			byKind[x.Kind] = append(byKind[x.Kind], x)
		}
	}
	var out []*fyne.Notification
	for _, kind := range NoticeKinds {
		list := byKind[kind]
		for i, x := range list {
			if i == perKind {
				out = append(out, fyne.NewNotification(T("notice."+kind), T("notice.more", map[string]any{"Count": len(list) - perKind})))
				break
			}
			out = append(out, fyne.NewNotification(T("notice."+kind), noticeLine(x)))
		}
	}
	return out
}

func noticeLine(x docstore.Notice) string {
	s := x.Subject
	if x.Notation != "" {
		s = x.Notation + " — " + s
	}
	if x.Urgency > docstore.UrgencyNormal {
		s = fmt.Sprintf("[%s] %s", T(fmt.Sprintf("urgency.%d", x.Urgency)), s)
	}
	if x.Deadline != "" && (x.Kind == docstore.NoticeAssigned || x.Kind == docstore.NoticeDeadline) {
		s += "  ·  " + T("notice.deadline_line", map[string]any{"Date": dmy(x.Deadline)})
	}
	return s
}
