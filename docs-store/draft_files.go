package docstore

import "context"

// DraftFile is one version of a draft: its file, the author's note, who
// added it and when.
type DraftFile struct {
	Version    int
	File       Attachment
	Note       string
	By, ByName string
	At         string // RFC 3339
}

// DraftVersions lists the versions of a draft the viewer may see, first
// version first.
func (s *Store) DraftVersions(ctx context.Context, viewer, draftID string) ([]DraftFile, error) {
	if _, err := s.Draft(ctx, viewer, draftID); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT v.version, v.sha256, v.name, v.size, v.note, v.by_person, coalesce(p.full_name, v.by_person), v.at
		FROM draft_versions v LEFT JOIN people p ON p.id = v.by_person WHERE v.draft_id = ? ORDER BY v.version`, draftID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DraftFile
	for rows.Next() {
		var d DraftFile
		if err := rows.Scan(&d.Version, &d.File.SHA256, &d.File.Name, &d.File.Size, &d.Note, &d.By, &d.ByName, &d.At); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
