package docstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// stateQueries read every derived table in a canonical order, leaving out
// local-only keys (rowids), so two stores that applied the same events
// compare equal whatever their history of vacuums or rowid reuse.
var stateQueries = []string{
	`SELECT code, name, abbr, place FROM agency`,
	`SELECT id, name, abbr, hex(name_key) FROM units ORDER BY id`,
	`SELECT id, email, full_name, title, unit_id, clearance, hex(name_key) FROM people ORDER BY id`,
	`SELECT person_id, role FROM person_roles ORDER BY person_id, role`,
	`SELECT id, kind, year, secret, name, per_type, closed FROM registers ORDER BY id`,
	`SELECT register_id, counter_key, next FROM counters ORDER BY register_id, counter_key`,
	`SELECT id, register_id, kind, counter_key, number, type_code, notation, notation_fold, doc_date, arrival_date, issuer, issuer_code,
		issuer_fold, subject, recipients, forwarded_date, note, urgency, secrecy, due_date, pages, source, signer, signer_authority,
		signer_title, copy_holder, copies, draft_id, status, registered_by, registered_at FROM documents ORDER BY id`,
	`SELECT document_id, sha256, name, size FROM attachments ORDER BY document_id, sha256, name`,
	`SELECT id, document_id, by_person, comment, at FROM directions ORDER BY id`,
	`SELECT id, document_id, direction_id, assignee_kind, assignee_id, role, deadline, state, reason, updated_at FROM assignments ORDER BY id`,
	`SELECT id, author_id, unit_id, type_code, subject, urgency, secrecy, state, initialer_id, approver_id, signer_authority, signer_title,
		document_id, created_at, updated_at FROM drafts ORDER BY id`,
	`SELECT draft_id, version, sha256, name, size, note, by_person, at FROM draft_versions ORDER BY draft_id, version`,
	`SELECT subject_kind, subject_id, actor, action, comment, at, event_id FROM workflow_steps ORDER BY event_id, subject_kind, subject_id`,
	`SELECT seq, event_id, type, actor, time, hex(event_hash), hex(prev), hex(hash) FROM audit ORDER BY seq`,
}

// StateDigest is a SHA-256 over the whole derived state: equal digests mean
// equal registers, documents, workflow and audit.
func (s *Store) StateDigest(ctx context.Context) (string, error) {
	h := sha256.New()
	for _, q := range stateQueries {
		rows, err := s.r.QueryContext(ctx, q)
		if err != nil {
			return "", fmt.Errorf("state digest: %w", err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintf(h, "%q\n", vals)
		}
		if err := rows.Close(); err != nil {
			return "", err
		}
		fmt.Fprintln(h, "--")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
