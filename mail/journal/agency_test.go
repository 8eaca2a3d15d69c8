package journal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"congvu/docs-store"
	"congvu/mail/mailtest"
)

// The journal against the real Dovecot of make test: every workstation is
// a store of its own with its replicator, logged in as its own user; they
// share journal folders made for the test (mailtest.JournalFolders).

const agencyCode = "000.00.12.H31"

// testAgency is an agency under test: its journal folders, its people's
// keys and their workstations.
type testAgency struct {
	t       *testing.T
	e       *mailtest.Env
	main    string
	secret  string
	keys    map[string]ed25519.PrivateKey
	clients map[string]*client
}

// client is one workstation.
type client struct {
	person string
	st     *docstore.Store
	r      *Replicator
	proxy  *cutProxy // between the workstation and Dovecot: unplugged to go offline
	stop   func()
}

// people of the test agency: id = the server's user name.
var roster = []docstore.PersonInput{
	{ID: "clerk", FullName: "Đỗ Thị Hạnh", Roles: []docstore.Role{docstore.RoleClerk}, Clearance: docstore.SecrecyMat},
	{ID: "u01", FullName: "Bùi Thanh Thủy", Roles: []docstore.Role{docstore.RoleClerk}},
	{ID: "manager", FullName: "Nguyễn Văn Ánh", Roles: []docstore.Role{docstore.RoleAgencyLeader}, Clearance: docstore.SecrecyToiMat},
	{ID: "specialist", FullName: "Lê Thu Trang", Roles: []docstore.Role{docstore.RoleSpecialist}},
}

const (
	regIn  = "den-2026"
	regOut = "di-2026"
	regMat = "den-mat-2026"
)

// secretRegister is the secret incoming register, in the secret journal.
var secretRegister = docstore.RegisterOpened{ID: regMat, Kind: docstore.KindIncoming, Year: 2026, Secret: true, Name: "Sổ văn bản đến mật năm 2026"}

func newTestAgency(t *testing.T, registers ...docstore.RegisterOpened) *testAgency {
	t.Helper()
	return newTestAgencyOn(t, mailtest.Shared(t), registers...)
}

// newTestAgencyOn founds the agency on the mail server e.
func newTestAgencyOn(t *testing.T, e *mailtest.Env, registers ...docstore.RegisterOpened) *testAgency {
	t.Helper()
	main, secret := e.JournalFolders(t, "clerk", "manager")
	a := &testAgency{t: t, e: e, main: main, secret: secret, keys: map[string]ed25519.PrivateKey{}, clients: map[string]*client{}}
	for _, p := range append([]string{"admin"}, personIDs()...) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		a.keys[p] = k
	}
	ctx := context.Background()
	ad := a.open("admin")
	must(t, ad.st.FoundAgency(ctx, docstore.AgencyFounded{Code: agencyCode, Name: "Ủy ban nhân dân thành phố Lâm Sơn", Abbr: "UBND", Place: "Lâm Sơn",
		Admin: docstore.PersonInput{ID: "admin", Email: "admin@agency.test", FullName: "Quản Trị Viên", Clearance: docstore.SecrecyMat,
			PublicKey: PublicKeyString(a.keys["admin"].Public().(ed25519.PublicKey))}}))
	must(t, ad.st.AddUnit(ctx, "admin", docstore.UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}))
	for _, p := range roster {
		p.Email, p.UnitID = p.ID+"@agency.test", "vp"
		p.PublicKey = PublicKeyString(a.keys[p.ID].Public().(ed25519.PublicKey))
		must(t, ad.st.AddPerson(ctx, "admin", p))
	}
	defaults := []docstore.RegisterOpened{
		{ID: regIn, Kind: docstore.KindIncoming, Year: 2026, Name: "Sổ văn bản đến năm 2026"},
		{ID: regOut, Kind: docstore.KindOutgoing, Year: 2026, Name: "Sổ văn bản đi năm 2026"},
	}
	for _, r := range append(defaults, registers...) {
		must(t, ad.st.OpenRegister(ctx, "admin", r))
	}
	return a
}

func personIDs() []string {
	var ids []string
	for _, p := range roster {
		ids = append(ids, p.ID)
	}
	return ids
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// open starts a workstation for person: a new store that joins (pin and
// folders) and a replicator running in the background.
func (a *testAgency) open(person string) *client {
	t := a.t
	t.Helper()
	ctx := context.Background()
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	must(t, err)
	must(t, st.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: agencyCode, AdminKey: a.keys["admin"].Public().(ed25519.PublicKey)}))
	must(t, st.SetJournalFolder(ctx, docstore.ScopeAgency, a.main))
	must(t, st.SetJournalFolder(ctx, docstore.ScopeSecret, a.secret))
	proxy := newCutProxy(t, a.e.IMAPPort)
	acct := a.e.Account(person)
	acct.IMAPPort = proxy.port
	r := New(st, Config{
		Account:  acct,
		Password: func(context.Context) (string, error) { return a.e.Password(person), nil },
		Key:      a.keys[person],
		Author:   docstore.MailAddress{Name: person, Addr: person + "@agency.test"},
		Agency:   agencyCode,
		Poll:     3 * time.Second,
	})
	st.SetPublisher(r)
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(rctx)
	}()
	c := &client{person: person, st: st, r: r, proxy: proxy}
	c.stop = func() {
		cancel()
		<-done
		st.Close()
	}
	t.Cleanup(c.stop)
	a.clients[person] = c
	return c
}

// join opens a workstation and waits until it has read the journal as far
// as the administrator's (the directory, the registers).
func (a *testAgency) join(person string) *client {
	a.t.Helper()
	c := a.open(person)
	want := a.clients["admin"].lastUID(docstore.ScopeAgency)
	eventually(a.t, 10*time.Second, person+" joins", func() bool { return c.lastUID(docstore.ScopeAgency) >= want })
	return c
}

// eventually polls cond for up to d.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lastUID: how far a workstation has read the agency's journal.
func (c *client) lastUID(scope string) uint32 {
	fs, _ := c.st.JournalFolders(context.Background())
	for _, f := range fs {
		if f.Scope == scope {
			return f.LastUID
		}
	}
	return 0
}

// converged waits until every workstation has read the journals as far as
// the first one and holds the same state, and returns that state.
func (a *testAgency) converged(t *testing.T, d time.Duration, names ...string) string {
	t.Helper()
	ctx := context.Background()
	var want string
	deadline := time.Now().Add(d)
	for {
		ok := true
		var first string
		for i, n := range names {
			c := a.clients[n]
			c.r.Kick()
			dmp, err := c.st.CanonicalDump(ctx)
			must(t, err)
			st, _ := c.st.JournalStatus(ctx)
			if st.Pending > 0 {
				ok = false
			}
			if i == 0 {
				first = dmp
			} else if dmp != first {
				ok = false
			}
		}
		if ok {
			return first
		}
		if time.Now().After(deadline) {
			for _, n := range names {
				dmp, _ := a.clients[n].st.CanonicalDump(ctx)
				st, _ := a.clients[n].st.JournalStatus(ctx)
				t.Logf("%s (last uid %d, %+v):\n%s", n, a.clients[n].lastUID(""), st, dmp)
			}
			t.Fatalf("the workstations did not converge in %v", d)
		}
		want = first
		_ = want
		time.Sleep(100 * time.Millisecond)
	}
}

func (a *testAgency) incoming(n int) docstore.IncomingInput {
	return docstore.IncomingInput{RegisterID: regIn, ArrivalDate: docstore.LocalDate(time.Now()), Issuer: "Sở Xây dựng", IssuerCode: "000.00.05.H31",
		Notation: fmt.Sprintf("%d/SXD-QLN", n), DocDate: docstore.LocalDate(time.Now()), Type: "CV",
		Subject: fmt.Sprintf("V/v kiểm tra trật tự xây dựng công trình số %d", n), Source: docstore.SourcePaper}
}

// has: the workstation's store knows the document.
func (c *client) hasDoc(id string) bool {
	d, _ := c.st.CanonicalDump(context.Background())
	return bytes.Contains([]byte(d), []byte(id))
}

// cutProxy forwards a local port to Dovecot's, and can be unplugged: every
// connection is cut and new ones are refused until it is plugged again —
// a network that goes away, as a laptop leaving the office does.
type cutProxy struct {
	ln     net.Listener
	port   int
	target int
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]bool
}

func newCutProxy(t testing.TB, target int) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &cutProxy{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.unplug() })
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.mu.Unlock()
		go p.pipe(c)
	}
}

func (p *cutProxy) pipe(c net.Conn) {
	s, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.target)))
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close(); c.Close() }()
	io.Copy(c, s)
	c.Close()
	s.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

func (p *cutProxy) unplug() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *cutProxy) plug() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}
