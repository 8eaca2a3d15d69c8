package docstore

import (
	"context"
	"fmt"
	"sort"
)

// UnitWork is how one unit handled its chủ trì assignments with a
// deadline in a year: completed on time or late, still open and past the
// deadline (quá hạn) or not yet due.
type UnitWork struct {
	UnitID, Name                  string
	OnTime, Late, Overdue, NotDue int
}

// Rate is the on-time share of what was completed, 0–1 (0 when nothing
// was).
func (u UnitWork) Rate() float64 {
	if u.OnTime+u.Late == 0 {
		return 0
	}
	return float64(u.OnTime) / float64(u.OnTime+u.Late)
}

// UnitsWork counts, per unit of the handler, the chủ trì assignments with
// a deadline that fall in year (completed in it, or open with a deadline
// in it), over the documents viewer may read; the units with most work
// first. An assignment to a person counts for the person's unit.
func (s *Store) UnitsWork(ctx context.Context, viewer string, year int, today string) ([]UnitWork, error) {
	v, visible, err := s.visibleRegisters(ctx, viewer)
	if err != nil {
		return nil, err
	}
	y := fmt.Sprintf("%04d", year)
	rows, err := s.r.QueryContext(ctx, `SELECT CASE a.assignee_kind WHEN 'unit' THEN a.assignee_id ELSE coalesce(p.unit_id, '') END AS unit,
			coalesce((SELECT name FROM units WHERE id = (CASE a.assignee_kind WHEN 'unit' THEN a.assignee_id ELSE coalesce(p.unit_id, '') END)), ''),
			CASE WHEN a.state = 'hoan_thanh' THEN (CASE WHEN date(a.updated_at, '+7 hours') <= a.deadline THEN 'on_time' ELSE 'late' END)
				WHEN a.deadline < ?1 THEN 'overdue' ELSE 'not_due' END,
			d.register_id, d.secrecy, count(*)
		FROM assignments a JOIN documents d ON d.id = a.document_id
		LEFT JOIN people p ON a.assignee_kind = 'person' AND p.id = a.assignee_id
		WHERE a.role = 'chu_tri' AND a.deadline <> '' AND a.state IN ('cho_xu_ly', 'dang_xu_ly', 'hoan_thanh')
			AND (CASE WHEN a.state = 'hoan_thanh' THEN date(a.updated_at, '+7 hours') ELSE a.deadline END) BETWEEN ?2 AND ?3
		GROUP BY 1, 2, 3, 4, 5`, today, y+"-01-01", y+"-12-31")
	if err != nil {
		return nil, fmt.Errorf("units work %d: %w", year, err)
	}
	defer rows.Close()
	units := map[string]*UnitWork{}
	for rows.Next() {
		var unit, name, status, reg string
		var secrecy Secrecy
		var n int
		if err := rows.Scan(&unit, &name, &status, &reg, &secrecy, &n); err != nil {
			return nil, fmt.Errorf("units work %d: %w", year, err)
		}
		if !visible[reg] || secrecy > v.clearance {
			continue
		}
		u := units[unit]
		if u == nil {
			u = &UnitWork{UnitID: unit, Name: name}
			units[unit] = u
		}
		switch status {
		case "on_time":
			u.OnTime += n
		case "late":
			u.Late += n
		case "overdue":
			u.Overdue += n
		default:
			u.NotDue += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]UnitWork, 0, len(units))
	for _, u := range units {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ta, tb := a.OnTime+a.Late+a.Overdue+a.NotDue, b.OnTime+b.Late+b.Overdue+b.NotDue; ta != tb {
			return ta > tb
		}
		return a.Name < b.Name
	})
	return out, nil
}

// OverdueWork lists the open chủ trì assignments past their deadline on
// today, over the documents viewer may read, the longest overdue first (at
// most limit).
func (s *Store) OverdueWork(ctx context.Context, viewer, today string, limit int) ([]Assignment, error) {
	v, visible, err := s.visibleRegisters(ctx, viewer)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.document_id, a.assignee_kind, a.assignee_id, coalesce(p.full_name, u.name, ''), a.role,
			a.deadline, a.state, a.reason, d.subject, d.notation, d.register_id
		FROM assignments a JOIN documents d ON d.id = a.document_id
		LEFT JOIN people p ON a.assignee_kind = 'person' AND p.id = a.assignee_id
		LEFT JOIN units u ON a.assignee_kind = 'unit' AND u.id = a.assignee_id
		WHERE a.role = 'chu_tri' AND a.state IN ('cho_xu_ly', 'dang_xu_ly') AND a.deadline <> '' AND a.deadline < ? AND d.secrecy <= ?
		ORDER BY a.deadline, a.rowid`, today, v.clearance)
	if err != nil {
		return nil, fmt.Errorf("overdue work: %w", err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() && len(out) < limit {
		var a Assignment
		var reg string
		if err := rows.Scan(&a.ID, &a.DocID, &a.Kind, &a.Assignee, &a.AssigneeName, &a.Role, &a.Deadline, &a.State, &a.Reason, &a.Subject,
			&a.Notation, &reg); err != nil {
			return nil, err
		}
		if visible[reg] {
			a.DeadlineState = Overdue
			out = append(out, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// visibleRegisters is the viewer and the ids of the registers they may
// see (decided in one place, Registers).
func (s *Store) visibleRegisters(ctx context.Context, viewer string) (*viewerInfo, map[string]bool, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, nil, err
	}
	regs, err := s.Registers(ctx, viewer)
	if err != nil {
		return nil, nil, err
	}
	visible := make(map[string]bool, len(regs))
	for _, r := range regs {
		visible[r.ID] = true
	}
	return v, visible, nil
}
