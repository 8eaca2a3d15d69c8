package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	docstore "congvu/docs-store"
	"congvu/mail/edxml"
	"congvu/mail/exchange"
)

// edxmlBench is the liên thông part: n incoming edXML packages, each with
// one attachment of attachKB (every other one zipped, as the national SDK
// sends), are parsed (attachments streamed into the blob store), queued
// for the văn thư and registered in the incoming register — the work of
// a clerk's workstation receiving a day's packages, without the mail
// transport (the mail part measures that). Packages/s and the peak RSS.
func edxmlBench(ctx context.Context, dir string, n, attachKB int) {
	src := filepath.Join(dir, "edxml-packages")
	check(os.MkdirAll(src, 0o755))
	today := time.Now()
	var total int64
	for i := 0; i < n; i++ {
		content := make([]byte, attachKB<<10)
		rand.Read(content[:256]) // each attachment its own (content-addressed store)
		d := &edxml.Document{
			From:       edxml.Organ{OrganID: "000.00.00.H41", OrganName: "Ủy ban nhân dân tỉnh Nghệ An"},
			To:         []edxml.Organ{{OrganID: "000.00.31.H31", OrganName: "Ủy ban nhân dân thành phố Lâm Sơn"}},
			DocumentID: fmt.Sprintf("000.00.00.H41,%s,%d/UBND-VP", today.Format("2006/01/02"), i+1),
			CodeNumber: fmt.Sprint(i + 1), CodeNotation: "UBND-VP", Place: "Nghệ An", Date: today.Format("2006-01-02"),
			Type: 1, TypeName: "Công văn", Subject: fmt.Sprintf("V/v triển khai kế hoạch chuyển đổi số năm %d, đợt %d", today.Year(), i+1),
			Signer:      edxml.Signer{Competence: "KT. CHỦ TỊCH", Position: "PHÓ CHỦ TỊCH", FullName: "Nguyễn Văn Đức"},
			Attachments: []edxml.Attachment{{ContentID: "a1", Name: fmt.Sprintf("%d-UBND-VP.pdf", i+1), ContentType: "application/pdf"}},
		}
		f, err := os.Create(filepath.Join(src, fmt.Sprintf("%05d.edxml", i)))
		check(err)
		check(edxml.WriteDocument(f, d, func(edxml.Attachment) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(content)), nil
		}, i%2 == 1))
		fi, _ := f.Stat()
		total += fi.Size()
		check(f.Close())
	}

	resetPeak()
	st, cast := newStore(ctx, filepath.Join(dir, "edxml-store"), today)
	defer st.Close()
	store := edxml.BlobStore(st.Blobs())
	t0 := time.Now()
	var parse time.Duration
	for i := 0; i < n; i++ {
		f, err := os.Open(filepath.Join(src, fmt.Sprintf("%05d.edxml", i)))
		check(err)
		t1 := time.Now()
		p, err := edxml.Parse(f, store, edxml.Options{})
		parse += time.Since(t1)
		f.Close()
		check(err)
		meta, err := json.Marshal(p)
		check(err)
		d := p.Document
		in := &docstore.ExchangeIncoming{DocumentID: d.DocumentID, FromOrgan: d.From.OrganID, FromName: d.From.OrganName,
			Notation: d.CodeNumber + "/" + d.CodeNotation, Subject: d.Subject, Meta: string(meta), AccountID: "bench"}
		_, err = st.AddExchangeIncoming(ctx, in, fmt.Sprintf("bench-%d", i))
		check(err)
		form, err := exchange.Prefill(*in, st.Today())
		check(err)
		form.RegisterID = cast.IncomingRegister
		_, err = st.RegisterIncoming(ctx, cast.Clerk, form)
		check(err)
		check(st.SetExchangeIncomingDone(ctx, cast.Clerk, in.ID, docstore.ExchangeRegistered, "", ""))
	}
	el := time.Since(t0)
	add("edXML: parse + queue + register", fmt.Sprintf("%.0f packages/s", float64(n)/el.Seconds()), "—",
		fmt.Sprintf("%d packages of one %d KB attachment (half zipped), %.0f MB in all; parse alone %.0f packages/s (%.0f MB/s); each registered in its own transaction",
			n, attachKB, float64(total)/(1<<20), float64(n)/parse.Seconds(), float64(total)/(1<<20)/parse.Seconds()))
}
