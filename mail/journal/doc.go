// Package journal shares the registers and the workflow among the
// colleagues of an agency through its IMAP server (docs/JOURNAL.md, and
// ../shared/design.md §4.2): every docstore.Event is one signed MIME
// message appended to a shared journal folder; the server's UIDs order
// them, and every client applies them in that order.
//
// # The message (wire format v1)
//
//	From: "<author's full name>" <author's address>
//	Date: <event time>
//	Message-ID: <EVENT-ID@journal.congvu>
//	Subject: <one Vietnamese line saying what happened>   (RFC 2047, UTF-8)
//	X-Congvu-Journal: 1
//	X-Congvu-Event: <event id>
//	X-Congvu-Type: <event type, e.g. incoming.registered>
//	MIME-Version: 1.0
//	Content-Type: multipart/mixed; boundary=…
//
//	part 1  text/plain; charset=utf-8 — the same in full sentences, for a
//	        person who opens the folder in any mail client
//	part 2  application/vnd.congvu.event+json; charset=utf-8,
//	        Content-Disposition: inline; filename="event.json" — the
//	        Signed object below, 7bit or quoted-printable
//	part 3… one per document file the journal does not hold yet:
//	        Content-Type: its MIME type; Content-Disposition: attachment;
//	        filename="<sha256 hex>"; base64. A file already in the journal is
//	        referenced by the event's SHA-256 only, never sent again.
//
// Signed (the JSON of part 2):
//
//	{"v":1,"agency":"<agency code>","event":<docstore.Event wire JSON, byte
//	 for byte as signed>,"key":"<base64 Ed25519 public key>","sig":"<base64
//	 Ed25519 signature>"}
//
// The signature is Ed25519 over "congvu-journal-v1\x00" + agency code +
// "\x00" + the event's bytes: a signed event cannot be replayed into
// another agency's journal, nor altered by one byte. Decode checks the
// signature against "key"; whether "key" is the actor's key (bound by the
// administrator's directory events) is for docstore.ApplyJournal to say,
// in journal order.
package journal
