package docstore

import "time"

// The mailbox cache: what the mail package (congvu/mail/...) keeps of each
// account's IMAP folders so the Hộp thư works offline. It is a cache, not
// the record: it is written directly (no events, no audit) and may be
// dropped and rebuilt from the server at any time; the server is the truth.
// The one exception is the outbox: a composed message is ours until the
// SMTP server has taken it, so it is written durably and never dropped.
//
// Identity: a cached message is (folder, UIDVALIDITY, UID). The folder row
// holds the UIDVALIDITY the cache was built under; when the server reports
// another, the folder's messages are dropped (ResetMailFolder) and fetched
// again. Each message also gets a stable local rowid (MailRow.Rowid), used
// by the virtual list, the search index and links to documents.
//
// Raw messages are kept whole in the blob store (by SHA-256), so a reply,
// a forward, an attachment save or a re-parse after a parser fix never
// needs the network. The text shown and indexed is stored beside the row.
//
// API (mail_cache.go, mail_outbox.go, mail_search.go):
//
//	accounts:  MailAccounts, MailAccount, SaveMailAccount, DeleteMailAccount
//	folders:   MailFolders, SyncMailFolders, SetMailFolderState,
//	           ResetMailFolder, MailFolder, MailFolderByName, MailFolderByRole
//	messages:  PutMailHeaders, PutMailBodies, SetMailFlags, RemoveMailUIDs,
//	           MailUIDs, MailNeedingBodies, MailMaxUID (the resume point),
//	           MailRowids, MailRowsByRowid, MailMessage, MailByUID
//	ops:       QueueMailOp, PendingMailOps, DoneMailOp
//	outbox:    EnqueueOutbox, OutboxItems, ClaimOutbox, OutboxSent,
//	           OutboxFailed, OutboxAppended, RequeueOutbox, DeleteOutbox,
//	           RecoverOutbox
//	links:     LinkMailDocument, MailDocuments, DocumentMail
//	search:    SearchMail (the same folded index as documents)
//	addresses: MailAddresses (completion for the composer)

// Connection security of one server.
const (
	SecurityTLS      = "tls"      // implicit TLS (IMAPS 993, submissions 465)
	SecurityStartTLS = "starttls" // plain connect then STARTTLS (143, 587)
)

// How the password of an account is kept.
const (
	PasswordKeyring = "keyring" // in the OS keyring (the default)
	PasswordAsk     = "ask"     // asked at each start, kept in memory only
)

// MailAccount is one mailbox the user reads: their own, or a shared one such
// as the agency's văn thư mailbox. It never holds the password.
type MailAccount struct {
	ID           string // stable local id (NewID)
	Address      string // e-mail address, e.g. chuyenvien@sotnmt.hanoi.gov.vn
	DisplayName  string
	Username     string // IMAP/SMTP login; usually the address
	IMAPHost     string
	IMAPPort     int
	IMAPSecurity string // SecurityTLS or SecurityStartTLS
	SMTPHost     string
	SMTPPort     int
	SMTPSecurity string
	// CAPEM holds certificates (PEM) the user explicitly trusted for this
	// account, e.g. the agency's own CA, added to the system roots. Empty:
	// the system roots alone. Verification is never switched off.
	CAPEM        string
	PasswordMode string // PasswordKeyring (default) or PasswordAsk
	// AutoDownloadMax: messages up to this size (bytes) are downloaded whole
	// in the background; larger ones on demand. 0 means the default (25 MB).
	AutoDownloadMax int64
	Shared          bool // a shared mailbox (văn thư), shown under its own heading
	Position        int  // order in the folder pane
}

// Folder roles from SPECIAL-USE (RFC 6154), without the backslash.
const (
	FolderInbox   = "inbox"
	FolderSent    = "sent"
	FolderDrafts  = "drafts"
	FolderTrash   = "trash"
	FolderJunk    = "junk"
	FolderArchive = "archive"
)

// MailFolderInfo is a folder as the server lists it.
type MailFolderInfo struct {
	Name       string // full IMAP name, e.g. "INBOX", "Shared/VanThu"
	Delim      string // hierarchy delimiter, "" when flat
	Role       string // FolderInbox, FolderSent, … or ""
	NoSelect   bool
	Subscribed bool
}

// MailFolder is a folder with its sync state and counts.
type MailFolder struct {
	ID        int64
	AccountID string
	MailFolderInfo
	UIDValidity   uint32
	UIDNext       uint32 // as last seen; 0 before the first sync
	HighestModSeq uint64 // 0 when the server has no CONDSTORE
	Total         int    // messages cached
	Unread        int    // cached messages without \Seen
	SyncedAt      time.Time
}

// MailAddress is one mailbox in a header.
type MailAddress struct {
	Name string `json:"n,omitempty"`
	Addr string `json:"a"`
}

// MailHeader is what the headers-first pass stores of a message: its
// envelope, flags and structure summary, without the body.
type MailHeader struct {
	UID          uint32
	ModSeq       uint64
	Flags        []string // IMAP flags and keywords, e.g. `\Seen`, `$Forwarded`
	InternalDate time.Time
	Size         int64     // RFC822.SIZE
	Date         time.Time // the Date header; as cached, InternalDate when it has none
	Subject      string    // decoded, NFC
	From         []MailAddress
	To           []MailAddress
	Cc           []MailAddress
	ReplyTo      []MailAddress
	MessageID    string
	InReplyTo    string
	// Attachments are the names (decoded, NFC, as sent — not sanitised)
	// found in BODYSTRUCTURE; the list can show a paper clip at once.
	Attachments []string
}

// BodyState says whether a cached message's content is here.
type BodyState int

const (
	BodyMissing  BodyState = 0 // headers only; the body sync will fetch it
	BodyPresent  BodyState = 1 // raw message in the blob store, text stored
	BodyDeferred BodyState = 2 // larger than the account's automatic cap: on demand
	BodyFailed   BodyState = 3 // fetch or parse failed; Error says why; retried later
)

// MailPart is one attachment (or inline part) of a downloaded message.
type MailPart struct {
	Path     string `json:"p"`           // MIME part path, "2", "1.3", "2.1.2" (inside message/rfc822)
	Name     string `json:"n"`           // decoded file name as sent (not sanitised), NFC
	MIMEType string `json:"t"`           // lower case, e.g. "application/pdf"
	Size     int64  `json:"s"`           // decoded size in bytes, -1 unknown
	Inline   bool   `json:"i,omitempty"` // Content-Disposition inline
}

// MailBody is the body pass's result for one message.
type MailBody struct {
	UID   uint32
	State BodyState
	Blob  BlobRef // the raw RFC 822 message (State BodyPresent)
	// Raw is the raw message itself when it is small (up to MailRawInline
	// bytes): it is then stored in the database with the row, in the same
	// transaction, instead of as a file of the blob store (Blob.SHA256 must
	// be its hash). Nil: the message is a file of the blob store already.
	Raw   []byte
	Text  string     // the readable text (plain, or HTML made safe text), NFC, capped at 1 MB
	Parts []MailPart // attachments, nested message parts flattened with their paths
	Error string     // State BodyFailed: a short English reason for the log
}

// MailRawInline is the size up to which a raw message is kept in the
// database (MailBody.Raw) rather than as a file.
const MailRawInline = 1 << 20

// MailFlagChange is a flag update found by CONDSTORE or a flag scan.
type MailFlagChange struct {
	UID    uint32
	ModSeq uint64
	Flags  []string
}

// MailRow is one cached message as the list and the reader show it.
type MailRow struct {
	Rowid     int64
	FolderID  int64
	AccountID string
	MailHeader
	Seen, Flagged, Answered bool
	State                   BodyState
	Blob                    BlobRef
	Preview                 string // the first ~200 characters of Text, one line
}

// MailMessage is a MailRow with its text and parts (the reader).
type MailMessage struct {
	MailRow
	Text  string
	Parts []MailPart
	Error string
}

// Kinds of offline operations queued for replay (MailOp.Kind).
const (
	MailOpAddFlags    = "add_flags"    // Arg: space-separated flags
	MailOpRemoveFlags = "remove_flags" // Arg: space-separated flags
	MailOpMove        = "move"         // Arg: target folder name
	MailOpDelete      = "delete"       // move to Trash, or \Deleted + EXPUNGE when there is none
)

// MailOp is a change the user made to a message, applied to the cache at
// once and queued until the server has it too.
type MailOp struct {
	ID          int64
	AccountID   string
	FolderName  string
	UIDValidity uint32
	UID         uint32
	Kind        string
	Arg         string
	Created     time.Time
	Attempts    int
	LastError   string
}

// Outbox states.
const (
	OutboxQueued   = "queued"   // waiting to be submitted (or retried)
	OutboxSending  = "sending"  // claimed by a sender; back to queued on restart
	OutboxSent     = "sent"     // SMTP accepted it; waiting to be appended to Sent
	OutboxAppended = "appended" // in the server's Sent folder too: done
	OutboxFailed   = "failed"   // permanent refusal (e.g. 5xx): the user must act
)

// OutboxItem is a composed message on its way out. Its raw form is in the
// blob store before it is queued, so a crash can never lose it, and the
// state machine (queued → sending → sent → appended) with a Message-ID that
// never changes means it is submitted once.
type OutboxItem struct {
	ID         string
	AccountID  string
	MessageID  string     // the Message-ID header, without <>
	From       string     // envelope sender
	Recipients []string   // envelope recipients (to + cc + bcc)
	Subject    string     // for the outbox list
	Blob       BlobRef    // the raw message
	State      string     // Outbox*
	Attempts   int        //
	LastError  string     // shown to the user while queued or failed
	NextTry    time.Time  // zero: as soon as possible
	Created    time.Time  //
	SentAt     time.Time  //
	DocumentID string     // when sent from a registered document, its id
	Parts      []MailPart // attachment names for the list
}

// MailHit is a search result in the mail cache.
type MailHit struct {
	MailRow
	FolderName string
	ExactMarks bool // matched the words with their marks as typed (as Hit)
}
